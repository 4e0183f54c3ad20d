package dev.trackpipeline.gateway.ingest;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds the bytes of accepted events waiting for Kafka's acknowledgement. Answers complete
 * asynchronously, so request threads do not bound them: when Kafka slows down and clients keep
 * sending, waiting events would pile up until the heap runs out (the benchmark saw exactly that
 * with a 256 MB heap). Past the bound, a request is answered 503 at once instead. A request is
 * always admitted when nothing is in flight, so the largest allowed body can never be refused
 * for its size alone.
 */
final class InFlightEvents {

    private final long limitBytes;
    private final AtomicLong bytes = new AtomicLong();

    InFlightEvents(long limitBytes) {
        this.limitBytes = limitBytes;
    }

    boolean tryAdmit(long eventBytes) {
        while (true) {
            long current = bytes.get();
            if (current > 0 && current + eventBytes > limitBytes) {
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
