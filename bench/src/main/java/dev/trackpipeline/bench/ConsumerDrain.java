package dev.trackpipeline.bench;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * How fast a consumer drains prepared events: the group's committed offsets are watched from
 * before the service starts; the rate runs from the first commit past the warm-up events to the
 * commit that reaches the end. Each run's service is a fresh JVM, and on two cores its JIT
 * compilers took more CPU than its consumer thread for the first ten seconds of a drain: without
 * the warm-up the figure measured the compilers, not the rate a running service sustains.
 */
final class ConsumerDrain {

    private ConsumerDrain() {
    }

    /** A drain's rate, and the CPU it took per event, over the same window. */
    record Drained(double eventsPerSecond, CpuTime.PerEvent cpu) {
    }

    /**
     * Starts {@code service} (which joins {@code group}) and measures its drain.
     *
     * @param warmedUpSum the committed offsets' sum once the warm-up events are consumed
     * @param servicePid  the started service's process id, for its CPU time
     */
    static Drained measure(KafkaOffsets offsets, String group, long warmedUpSum, long endSum, Callable<?> service,
                           LongSupplier servicePid, Duration timeout) throws Exception {
        ExecutorService watcher = Executors.newSingleThreadExecutor();
        try {
            Future<Drained> drained = watcher.submit(() -> watch(offsets, group, warmedUpSum, endSum, servicePid, timeout));
            service.call();
            return drained.get(timeout.toSeconds(), TimeUnit.SECONDS);
        } finally {
            watcher.shutdownNow();
        }
    }

    private static Drained watch(KafkaOffsets offsets, String group, long warmedUpSum, long endSum, LongSupplier servicePid,
                                 Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long firstAt = -1;
        long firstCommitted = 0;
        CpuTime firstCpu = CpuTime.NONE;
        while (System.nanoTime() < deadline) {
            long committed = offsets.committed(group);
            long now = System.nanoTime();
            if (firstAt < 0 && committed >= warmedUpSum) {
                firstAt = now;
                firstCommitted = committed;
                firstCpu = CpuTime.now(servicePid.getAsLong());
            }
            if (committed >= endSum) {
                if (now == firstAt || committed == firstCommitted) {
                    throw new IllegalStateException(group + " drained everything in one commit: too few events to measure a rate");
                }
                CpuTime used = CpuTime.now(servicePid.getAsLong()).since(firstCpu);
                return new Drained((endSum - firstCommitted) / ((now - firstAt) / 1e9), used.perEvent(endSum - firstCommitted));
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException(group + " did not reach the end of the topics within " + timeout.toSeconds() + " s");
    }
}
