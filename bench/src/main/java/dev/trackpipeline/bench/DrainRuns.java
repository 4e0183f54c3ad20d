package dev.trackpipeline.bench;

import dev.trackpipeline.launcher.ServiceProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * Repeated drains of the same prepared events by fresh instances of one consumer, each in a
 * group and a store of its own and each after its baseline. The baseline goes first so that it
 * runs beside no other run's data: the previous drain's database is dropped before it, and the
 * stand-in shares a heap with the broker. The last instance keeps running (the end-to-end
 * measurement uses it) until {@link #close()}.
 */
final class DrainRuns implements AutoCloseable {

    /** Starts the consumer of one run, in {@code group}. */
    interface Starter {
        ServiceProcess start(String group, int run) throws Exception;
    }

    /** The baseline of one run. */
    interface Baseline {
        StoreBaselines.Measured measure(int run) throws Exception;
    }

    /** Cleans up after a stopped run (its store is no longer needed). */
    interface Cleanup {
        void after(int run) throws Exception;
    }

    private static final Duration TIMEOUT = Duration.ofMinutes(10);

    final List<Double> rates = new ArrayList<>();
    final List<Double> baselines = new ArrayList<>();
    /** Microseconds of CPU per event: the drain's (service and infrastructure), the service's own, and the baseline's. */
    final List<Double> cpuPerEvent = new ArrayList<>();
    final List<Double> serviceCpuPerEvent = new ArrayList<>();
    final List<Double> baselineCpuPerEvent = new ArrayList<>();
    /** Microseconds per event the service's JIT compilers used in the drain, and its pause for them before. */
    final List<Double> compilerCpuPerEvent = new ArrayList<>();
    final List<CompilerThreads.Settled> settled = new ArrayList<>();
    private final BenchServices services;
    private final Duration settleLimit;
    private volatile ServiceProcess current;
    private ResourceSampler memory;

    /** @param settleLimit the longest pause of a warmed-up consumer for its compilers, before it is measured anyway */
    DrainRuns(BenchServices services, Duration settleLimit) {
        this.services = services;
        this.settleLimit = settleLimit;
    }

    /**
     * @param start       where the group starts: the warm-up events come first
     * @param warmedUpSum the offsets' sum past the warm-up events, where the measurement starts
     */
    void run(int run, String groupPrefix, KafkaOffsets offsets, Map<TopicPartition, Long> start, long warmedUpSum, long endSum,
             Starter starter, Baseline baseline, Cleanup cleanup) throws Exception {
        if (current != null) {
            memory.close();
            services.stop(current);
            cleanup.after(run - 1);
        }
        StoreBaselines.Measured measured = baseline.measure(run);
        baselines.add(measured.eventsPerSecond());
        baselineCpuPerEvent.add(measured.cpu().totalMicros());
        String group = groupPrefix + run;
        offsets.place(group, start);
        current = null;
        ConsumerDrain.Drained drained = ConsumerDrain.measure(offsets, group, warmedUpSum, endSum, () -> {
            current = starter.start(group, run);
            memory = new ResourceSampler(current);
            return current;
        }, settleLimit, TIMEOUT);
        rates.add(drained.eventsPerSecond());
        cpuPerEvent.add(drained.cpu().totalMicros());
        serviceCpuPerEvent.add(drained.cpu().serviceMicros());
        compilerCpuPerEvent.add(drained.compilerMicrosPerEvent());
        settled.add(drained.settled());
    }

    ServiceProcess current() {
        return current;
    }

    ResourceSampler.Peak peak() {
        return memory.peak();
    }

    @Override
    public void close() {
        if (memory != null) {
            memory.close();
        }
    }
}
