package dev.trackpipeline.infra;

/**
 * The data directory, or a store in it, cannot be used as it is: written by an incompatible
 * version, or damaged. Says which and what it holds ({@link #getMessage()}), and what changing it
 * costs ({@link #remedy()}), so that a launcher can say in one line what to do.
 */
public final class DataDirectoryException extends IllegalStateException {

    private final String remedy;

    DataDirectoryException(String message, String remedy, Throwable cause) {
        super(message, cause);
        this.remedy = remedy;
    }

    /** What to do about it, and what that costs, such as "move it aside to start with an empty store (...)". */
    public String remedy() {
        return remedy;
    }
}
