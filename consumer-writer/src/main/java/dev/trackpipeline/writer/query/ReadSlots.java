package dev.trackpipeline.writer.query;

import dev.trackpipeline.runtime.ApiException;
import dev.trackpipeline.writer.WriterProperties;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * How many pages of events or chunks are read at once. A page's budget bounds one answer, not how
 * many are built together: Tomcat's 200 threads each holding a page of large planted events would
 * run the writer (and its consumer with it) out of memory. One project holds at most every slot
 * but one, so that a project whose reads are slow (its owner's, or someone's who filled it
 * through its public apikey and holds its read token) cannot keep every other project's reads
 * waiting. Beyond the slots a read waits at most the configured time, then is answered 503, to be
 * tried again.
 */
@Component
public class ReadSlots {

    private final Semaphore slots;
    private final int slotsPerProject;
    private final Map<String, Semaphore> projectSlots = new ConcurrentHashMap<>();
    private final long maxWaitMillis;

    public ReadSlots(WriterProperties properties) {
        int concurrentReads = properties.read().concurrentReads();
        this.slots = new Semaphore(concurrentReads, true);
        this.slotsPerProject = Math.max(1, concurrentReads - 1);
        this.maxWaitMillis = properties.read().maxWait().toMillis();
    }

    /** Reads for {@code apikey}, a project whose read token the caller has shown (so their number is the registry's). */
    <T> T read(String apikey, Supplier<T> read) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxWaitMillis);
        Semaphore ofProject = projectSlots.computeIfAbsent(apikey, project -> new Semaphore(slotsPerProject, true));
        acquire(ofProject, deadline, "this project's reads hold " + slotsPerProject + " of the read slots already, as many as one project"
                + " may (every slot of track.writer.read.concurrent-reads but one); try again shortly");
        try {
            acquire(slots, deadline, "too many pages being read at once (track.writer.read.concurrent-reads); try again shortly");
            try {
                return read.get();
            } finally {
                slots.release();
            }
        } finally {
            ofProject.release();
        }
    }

    private static void acquire(Semaphore semaphore, long deadline, String whenRefused) {
        boolean acquired;
        try {
            acquired = semaphore.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "the read was interrupted while waiting; try again");
        }
        if (!acquired) {
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, whenRefused);
        }
    }
}
