package dev.trackpipeline.runtime;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.springframework.http.HttpStatus;

/**
 * How many reads of a service run at once, and how many of them one project may hold: every one
 * but one, so that a project whose reads are slow (its owner's, or someone's who filled it through
 * its public apikey and holds its read token) cannot keep every other project's reads waiting. A
 * read beyond either waits at most {@code maxWait}, then is answered 503, to be tried again. The
 * writer's pages and the aggregator's Redis reads share this rule. With one read at once there is
 * no share to keep (that one is every read); with N, projects whose tokens are used together can
 * still take all N.
 */
public final class ProjectReadShares {

    private final Semaphore reads;
    private final int readsPerProject;
    private final Map<String, Semaphore> projectReads = new ConcurrentHashMap<>();
    private final long maxWaitNanos;
    private final String setting;

    /** @param setting the property that sets {@code concurrentReads}, which refusals name */
    public ProjectReadShares(int concurrentReads, Duration maxWait, String setting) {
        this.reads = new Semaphore(concurrentReads, true);
        this.readsPerProject = Math.max(1, concurrentReads - 1);
        this.maxWaitNanos = maxWait.toNanos();
        this.setting = setting;
    }

    /** Reads for {@code apikey}, a project whose read token the caller has shown (so their number is the registry's). */
    public <T> T read(String apikey, Supplier<T> read) {
        long deadline = System.nanoTime() + maxWaitNanos;
        Semaphore ofProject = projectReads.computeIfAbsent(apikey, project -> new Semaphore(readsPerProject, true));
        acquire(ofProject, deadline, "this project's reads hold " + readsPerProject + " of the reads at once already, as many as one"
                + " project may (every one of " + setting + " but one); try again shortly");
        try {
            acquire(reads, deadline, "too many reads at once (" + setting + "); try again shortly");
            try {
                return read.get();
            } finally {
                reads.release();
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
