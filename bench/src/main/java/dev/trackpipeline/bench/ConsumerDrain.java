package dev.trackpipeline.bench;

import dev.trackpipeline.launcher.ServiceProcess;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * How fast a consumer drains prepared events, measured in its steady state. Each run's service is
 * a fresh JVM, and on two cores its JIT compilers took more CPU than its consumer thread for the
 * first ten seconds of a drain, and still a fifth of a core after a warm-up four times as long:
 * measured straight away, the figure measured the compilers, not the rate a running service
 * sustains. So the service first drains the warm-up events, is paused (its listeners hold their
 * partitions and their place) until its compilers have gone quiet, and is measured from its
 * resume to the commit that reaches the end of the topics.
 */
final class ConsumerDrain {

    /** Compilers using less than this share of a core over a second count as quiet. */
    private static final double QUIET_COMPILERS = 0.02;

    private ConsumerDrain() {
    }

    /**
     * A drain's rate, the CPU it took per event, what of that the service's compilers used, all
     * over the same window, and how long the service was paused for its compilers beforehand.
     */
    record Drained(double eventsPerSecond, CpuTime.PerEvent cpu, double compilerMicrosPerEvent, CompilerThreads.Settled settled) {
    }

    /**
     * Starts {@code service} (which joins {@code group}) and measures its drain.
     *
     * @param warmedUpSum the committed offsets' sum once the warm-up events are consumed
     * @param settleLimit the longest pause for the compilers before measuring anyway
     */
    static Drained measure(KafkaOffsets offsets, String group, long warmedUpSum, long endSum, Callable<ServiceProcess> service,
                           Duration settleLimit, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        ServiceProcess consumer = service.call();
        ListenerControls listeners = new ListenerControls(consumer.url());
        CompilerThreads compilers = new CompilerThreads(consumer.pid());
        awaitCommitted(offsets, group, warmedUpSum, deadline);
        listeners.pause(timeout);
        CompilerThreads.Settled settled = compilers.awaitQuiet(QUIET_COMPILERS, settleLimit);
        long firstCommitted = awaitCommitsSettled(offsets, group, deadline);
        if (firstCommitted >= endSum) {
            throw new IllegalStateException(group + " drained everything before its pause: too few events to measure a rate");
        }

        CpuTime firstCpu = CpuTime.now(consumer.pid());
        Duration firstCompilers = compilers.cpu().orElse(Duration.ZERO);
        long firstAt = System.nanoTime();
        listeners.resume();
        awaitCommitted(offsets, group, endSum, deadline);
        long elapsed = System.nanoTime() - firstAt;
        long events = endSum - firstCommitted;
        CpuTime used = CpuTime.now(consumer.pid()).since(firstCpu);
        Duration compiling = compilers.cpu().orElse(firstCompilers).minus(firstCompilers);
        return new Drained(events / (elapsed / 1e9), used.perEvent(events), compiling.toNanos() / 1e3 / events, settled);
    }

    private static void awaitCommitted(KafkaOffsets offsets, String group, long sum, long deadline) throws Exception {
        while (offsets.committed(group) < sum) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(group + " did not commit up to offset sum " + sum + " in time");
            }
            Thread.sleep(20);
        }
    }

    /** A paused consumer's last commits are asynchronous: the place it was paused at is where they stop moving. */
    private static long awaitCommitsSettled(KafkaOffsets offsets, String group, long deadline) throws Exception {
        long previous = offsets.committed(group);
        while (true) {
            Thread.sleep(200);
            long now = offsets.committed(group);
            if (now == previous) {
                return now;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(group + " kept committing while paused");
            }
            previous = now;
        }
    }
}
