package dev.trackpipeline.model.ingest;

/**
 * Heap for the JSON tree of one event, asked for before the tree is built and given back once the
 * event is checked. The gateway bounds what all its requests hold at once with it; where nothing
 * needs bounding, {@link #UNBOUNDED} grants everything.
 */
public interface TreeMemory {

    TreeMemory UNBOUNDED = new TreeMemory() {
        @Override
        public boolean tryTake(long bytes) {
            return true;
        }

        @Override
        public void giveBack(long bytes) {
        }
    };

    /** @return false when the bytes cannot be had now; the reader then builds no tree */
    boolean tryTake(long bytes);

    void giveBack(long bytes);
}
