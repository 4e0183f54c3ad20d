package dev.trackpipeline.bench;

import dev.trackpipeline.launcher.ServiceProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Repeated drains of the same prepared events ({@link Backlog}) by fresh instances of one
 * consumer: one, or several in one group, each run's in a group and a store of their own and each
 * after its baseline where it has one. The baseline goes first so that it runs beside no other
 * run's data: the previous drain's database is dropped before it, and the stand-in shares a heap
 * with the broker. The last run's instances keep running (the end-to-end measurement uses them)
 * until {@link #close()}.
 */
final class DrainRuns implements AutoCloseable {

    /** Starts the {@code instances} consumers of one run, all in {@code group}, each handed to {@code whenHealthy} as soon as it is. */
    interface Starter {
        List<ServiceProcess> start(String group, int run, int instances, BenchServices.WhenHealthy whenHealthy) throws Exception;
    }

    /** The baseline of one run. */
    interface Baseline {

        /** For drains compared with each other (one instance against two) rather than with the store alone. */
        Baseline NONE = run -> null;

        StoreBaselines.Measured measure(int run) throws Exception;
    }

    /** Cleans up after a stopped run (its store is no longer needed). */
    interface Cleanup {
        void after(int run) throws Exception;
    }

    private static final Duration TIMEOUT = Duration.ofMinutes(10);

    /** One run: how many instances drained, its baseline (null for {@link Baseline#NONE}) and its drain. */
    record Run(int instances, StoreBaselines.Measured baseline, ConsumerDrain.Drained drain) {

        double rate() {
            return drain.eventsPerSecond();
        }

        double baselineRate() {
            return baseline.eventsPerSecond();
        }
    }

    private final List<Run> runs = new ArrayList<>();
    private final BenchServices services;
    private final KafkaOffsets offsets;
    private final Backlog backlog;
    private final String groupPrefix;
    private final Starter starter;
    private final Cleanup cleanup;
    private final Duration settleLimit;
    private volatile List<ServiceProcess> current = List.of();
    private final List<ResourceSampler> memory = new ArrayList<>();

    /**
     * @param groupPrefix the runs' consumer groups are named by it and their number
     * @param settleLimit the longest pause of warmed-up consumers for their compilers, before they are measured anyway
     */
    DrainRuns(BenchServices services, KafkaOffsets offsets, Backlog backlog, String groupPrefix, Starter starter, Cleanup cleanup,
              Duration settleLimit) {
        this.services = services;
        this.offsets = offsets;
        this.backlog = backlog;
        this.groupPrefix = groupPrefix;
        this.starter = starter;
        this.cleanup = cleanup;
        this.settleLimit = settleLimit;
    }

    /** The next run: the last run's instances stopped, the baseline, then {@code instances} fresh ones draining the backlog. */
    Run run(int instances, Baseline baseline) throws Exception {
        int run = runs.size() + 1;
        if (!current.isEmpty()) {
            stopCurrent();
            cleanup.after(run - 1);
        }
        StoreBaselines.Measured measured = baseline.measure(run);
        String group = groupPrefix + run;
        offsets.place(group, backlog.start());
        ConsumerDrain.Drained drained = ConsumerDrain.measure(offsets, group, backlog, whenHealthy -> {
            current = starter.start(group, run, instances, whenHealthy);
            current.forEach(instance -> memory.add(new ResourceSampler(instance)));
            return current;
        }, settleLimit, TIMEOUT);
        Run measuredRun = new Run(instances, measured, drained);
        runs.add(measuredRun);
        return measuredRun;
    }

    /** One figure of every run so far, in order. */
    List<Double> each(ToDoubleFunction<Run> figure) {
        return runs.stream().map(figure::applyAsDouble).toList();
    }

    /** One figure of every run so far by {@code instances} instances, in order. */
    List<Double> each(int instances, ToDoubleFunction<Run> figure) {
        return runs.stream().filter(run -> run.instances() == instances).map(figure::applyAsDouble).toList();
    }

    /** The last run's instances, still running. */
    List<ServiceProcess> current() {
        return current;
    }

    /** The most memory any of the last run's instances held. */
    ResourceSampler.Peak peak() {
        return memory.stream().map(ResourceSampler::peak)
                .reduce(new ResourceSampler.Peak(0, 0), (a, b) -> new ResourceSampler.Peak(Math.max(a.rssMiB(), b.rssMiB()),
                        Math.max(a.heapMiB(), b.heapMiB())));
    }

    private void stopCurrent() throws InterruptedException {
        memory.forEach(ResourceSampler::close);
        memory.clear();
        for (ServiceProcess instance : current) {
            services.stop(instance);
        }
        current = List.of();
    }

    /** Stops the last run's instances. */
    @Override
    public void close() throws InterruptedException {
        stopCurrent();
    }
}
