package dev.trackpipeline.gateway.ingest;

import dev.trackpipeline.model.ingest.TreeMemory;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds the heap that requests being read and parsed hold at once: their bodies on the wire and
 * after gzip, the events cut out of them, and the JSON tree of the event being checked. Each
 * request thread may hold a decompressed body of 8 MiB and a tree several times larger, so the
 * thread count bounds nothing a 256 MB heap can take: eight concurrent 8 KB gzip bombs ran it out
 * of memory. A request that cannot have what it needs is answered 503 at once instead. A request
 * is always granted what it needs while no other holds anything, so the largest allowed body is
 * never refused for its size alone.
 *
 * <p>The bound alone would let four gzip bombs of 10 KB each, which grow to 16 MB apiece, keep
 * every browser's few-kilobyte post out. So the last {@code reservedForSmall} bytes go only to
 * requests that hold at most {@code smallRequestBytes} once granted: large requests compete with
 * each other for the rest, and a real SDK's posts, far below that size, are not refused for
 * memory however many large ones are being parsed.
 */
final class ParsingMemory {

    private final long limitBytes;
    private final long smallRequestBytes;
    private final long reservedForSmall;
    private final AtomicLong bytes = new AtomicLong();

    ParsingMemory(long limitBytes, long smallRequestBytes, long reservedForSmall) {
        if (reservedForSmall > limitBytes) {
            throw new IllegalArgumentException("the bytes reserved for small requests (" + reservedForSmall
                    + ") cannot exceed the parsing limit (" + limitBytes + ")");
        }
        this.limitBytes = limitBytes;
        this.smallRequestBytes = smallRequestBytes;
        this.reservedForSmall = reservedForSmall;
    }

    /**
     * A quarter of the limit kept for requests that hold at most 3 MiB: the largest posts the real
     * SDK sent (a 176 KB resource list, a 365 KB session-replay chunk) hold about 2 MB each with
     * their copies and tree, so five of them fit in the reserve of the default 64 MB at once.
     */
    static ParsingMemory withDefaultShares(long limitBytes) {
        return new ParsingMemory(limitBytes, 3L << 20, limitBytes / 4);
    }

    /** What one request holds; closing it gives back whatever it still holds. */
    Lease lease() {
        return new Lease();
    }

    long bytes() {
        return bytes.get();
    }

    long limitBytes() {
        return limitBytes;
    }

    /** One request's share, taken as its buffers grow. Used by the request's own thread only. */
    final class Lease implements TreeMemory, AutoCloseable {

        private long held;

        private Lease() {
        }

        @Override
        public boolean tryTake(long more) {
            long limitForThis = held + more <= smallRequestBytes ? limitBytes : limitBytes - reservedForSmall;
            while (true) {
                long current = bytes.get();
                if (current != held && current + more > limitForThis) {
                    return false;
                }
                if (bytes.compareAndSet(current, current + more)) {
                    held += more;
                    return true;
                }
            }
        }

        @Override
        public void giveBack(long fewer) {
            held -= fewer;
            bytes.addAndGet(-fewer);
        }

        long held() {
            return held;
        }

        @Override
        public void close() {
            giveBack(held);
        }
    }
}
