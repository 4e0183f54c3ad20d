package dev.trackpipeline.gateway.ingest;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds the bytes of accepted events waiting for Kafka's acknowledgement. Answers complete
 * asynchronously, so request threads do not bound them: when Kafka slows down and clients keep
 * sending, waiting events would pile up until the heap runs out (the benchmark saw exactly that
 * with a 256 MB heap). Past the bound, a request is answered 503 at once instead. A request is
 * always admitted when nothing is in flight, so the largest allowed body can never be refused
 * for its size alone.
 *
 * <p>The apikey is public: a client posting the largest valid bodies could fill the bound and
 * keep every browser's small post out. So, as in {@link ParsingMemory}, the last
 * {@code reservedForSmall} bytes go only to requests of at most {@code smallRequestBytes} of
 * events.
 */
final class InFlightEvents {

    private final long limitBytes;
    private final long smallRequestBytes;
    private final long reservedForSmall;
    private final AtomicLong bytes = new AtomicLong();

    InFlightEvents(long limitBytes, long smallRequestBytes, long reservedForSmall) {
        if (reservedForSmall > limitBytes) {
            throw new IllegalArgumentException("the bytes reserved for small requests (" + reservedForSmall
                    + ") cannot exceed the in-flight limit (" + limitBytes + ")");
        }
        this.limitBytes = limitBytes;
        this.smallRequestBytes = smallRequestBytes;
        this.reservedForSmall = reservedForSmall;
    }

    /** A quarter of the limit kept for requests of at most 1 MiB of events (the SDK's largest post was 365 KB). */
    static InFlightEvents withDefaultShares(long limitBytes) {
        return new InFlightEvents(limitBytes, 1L << 20, limitBytes / 4);
    }

    boolean tryAdmit(long eventBytes) {
        long limitForThese = eventBytes <= smallRequestBytes ? limitBytes : limitBytes - reservedForSmall;
        while (true) {
            long current = bytes.get();
            if (current > 0 && current + eventBytes > limitForThese) {
                return false;
            }
            if (bytes.compareAndSet(current, current + eventBytes)) {
                return true;
            }
        }
    }

    void release(long eventBytes) {
        bytes.addAndGet(-eventBytes);
    }

    long bytes() {
        return bytes.get();
    }

    long limitBytes() {
        return limitBytes;
    }
}
