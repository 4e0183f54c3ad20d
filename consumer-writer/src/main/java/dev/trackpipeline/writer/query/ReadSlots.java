package dev.trackpipeline.writer.query;

import dev.trackpipeline.runtime.ApiException;
import dev.trackpipeline.writer.WriterProperties;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * How many pages of events or chunks are read at once. A page's budget bounds one answer, not how
 * many are built together: Tomcat's 200 threads each holding a page of large planted events would
 * run the writer (and its consumer with it) out of memory. Beyond the slots a read waits at most
 * the configured time, then is answered 503, to be tried again.
 */
@Component
public class ReadSlots {

    private final Semaphore slots;
    private final long maxWaitMillis;

    public ReadSlots(WriterProperties properties) {
        this.slots = new Semaphore(properties.read().concurrentReads(), true);
        this.maxWaitMillis = properties.read().maxWait().toMillis();
    }

    <T> T read(Supplier<T> read) {
        boolean acquired;
        try {
            acquired = slots.tryAcquire(maxWaitMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "the read was interrupted while waiting; try again");
        }
        if (!acquired) {
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE,
                    "too many pages being read at once (track.writer.read.concurrent-reads); try again shortly");
        }
        try {
            return read.get();
        } finally {
            slots.release();
        }
    }
}
