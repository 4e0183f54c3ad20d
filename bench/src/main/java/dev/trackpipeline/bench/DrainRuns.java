package dev.trackpipeline.bench;

import dev.trackpipeline.launcher.ServiceProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
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

    /** One run: its baseline and its drain. */
    record Run(StoreBaselines.Measured baseline, ConsumerDrain.Drained drain) {

        double rate() {
            return drain.eventsPerSecond();
        }

        double baselineRate() {
            return baseline.eventsPerSecond();
        }
    }

    private final List<Run> runs = new ArrayList<>();
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
    Run run(int run, String groupPrefix, KafkaOffsets offsets, Map<TopicPartition, Long> start, long warmedUpSum, long endSum,
             Starter starter, Baseline baseline, Cleanup cleanup) throws Exception {
        if (current != null) {
            memory.close();
            services.stop(current);
            cleanup.after(run - 1);
        }
        StoreBaselines.Measured measured = baseline.measure(run);
        String group = groupPrefix + run;
        offsets.place(group, start);
        current = null;
        ConsumerDrain.Drained drained = ConsumerDrain.measure(offsets, group, warmedUpSum, endSum, () -> {
            current = starter.start(group, run);
            memory = new ResourceSampler(current);
            return current;
        }, settleLimit, TIMEOUT);
        Run measuredRun = new Run(measured, drained);
        runs.add(measuredRun);
        return measuredRun;
    }

    /** One figure of every run so far, in order. */
    List<Double> each(ToDoubleFunction<Run> figure) {
        return runs.stream().map(figure::applyAsDouble).toList();
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
