package dev.trackpipeline.bench;

import dev.trackpipeline.bench.ScaleOutReport.Measured;
import dev.trackpipeline.bench.ScaleOutReport.Stage;
import dev.trackpipeline.launcher.ServiceProcess;
import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.model.kafka.TopicNames;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Each stage with one instance and with two, in one run on the embedded infrastructure, so that
 * the ratio of the two is a figure of this machine: the gateway at saturation (wrk with the
 * captured requests, as the pipeline benchmark measures it alone, beside its no-op route), then
 * the writer's and the aggregator's drain of a prepared backlog by one instance and by two of one
 * consumer group (as {@link Benchmark} measures a drain: warmed up, paused for the compilers,
 * then timed).
 */
final class ScaleOut {

    /**
     * How much to measure.
     *
     * @param settleLimit the longest wait, after their warm-up, for the compilers of the instances to go quiet
     */
    record Options(Path home, Path capturedTraffic, String mode, int repeats, int connections, Duration loadRun, int drainEvents,
                   int drainWarmUpEvents, Duration settleLimit) {

        Options {
            if (repeats < 1 || repeats > Benchmark.Options.MAX_REPEATS) {
                // A run's aggregators count into a Redis database of their own, numbered by the run.
                throw new IllegalArgumentException("--repeats: must be between 1 and " + Benchmark.Options.MAX_REPEATS + ", got " + repeats);
            }
        }
    }

    /** The most instances of a stage measured: one is compared with two. */
    private static final int MOST = 2;
    private static final String REPORT_DATA = "/reportData";
    private static final String NOOP = "/bench/noop";
    private static final int WARM_UP_ROUNDS = 12;

    private final Options options;
    private final ProgressLines progress;

    ScaleOut(Options options, PrintStream progress) {
        this.options = options;
        this.progress = new ProgressLines(progress);
    }

    /**
     * The order of a run's configurations, one instance and two: alternating from run to run, since
     * whichever goes second meets JVMs that have compiled more and topics that hold more.
     */
    static List<Integer> order(int run) {
        return run % 2 == 1 ? List.of(1, MOST) : List.of(MOST, 1);
    }

    List<Stage> run(Path workDir) throws Exception {
        Path mix = workDir.resolve("captured.mix");
        double eventsPerRequest = WrkMix.captured(options.capturedTraffic(), mix);
        List<Stage> stages = new ArrayList<>();
        try (BenchServices services = new BenchServices(options.home(), workDir, false);
             KafkaOffsets offsets = new KafkaOffsets(services.infrastructure().kafkaBootstrapServers(),
                     TopicNames.defaults().eventTopics(new EventFamilies()))) {
            progress.step("starting two gateways");
            List<ServiceProcess> gateways = services.gateways(MOST);
            stages.addAll(gateways(new Wrk(workDir, 2), mix, eventsPerRequest, gateways));

            // Warm-up events enough for each of two instances, drained by one instance too: every drain is then measured on a
            // store holding the same documents (the stand-in keeps them on the heap it shares with the broker, and how full
            // that heap is changes what an insert costs).
            progress.step(String.format(Locale.ROOT, "filling the topics with %,d events to warm the consumers up (%,d for each of two"
                    + " instances), then %,d to measure", MOST * options.drainWarmUpEvents(), options.drainWarmUpEvents(), options.drainEvents()));
            Backlog backlog = Backlog.fill(offsets, URI.create(gateways.get(0).url() + REPORT_DATA),
                    TrafficMix.fromFixtures(options.capturedTraffic()), MOST * options.drainWarmUpEvents(), options.drainEvents());
            for (ServiceProcess gateway : gateways) {
                services.stop(gateway); // the drains need them no more, and measure beside nothing idle
            }

            try (DrainRuns writers = new DrainRuns(services, offsets, backlog, "bench-scale-out-writer-",
                    (group, n, instances, whenHealthy) -> services.writers(group, "bench_scale_out_writer_" + n, instances, whenHealthy),
                    n -> services.dropDatabase("bench_scale_out_writer_" + n), options.settleLimit())) {
                stages.add(drains("writer", writers));
            }
            try (DrainRuns aggregators = new DrainRuns(services, offsets, backlog, "bench-scale-out-aggregator-",
                    (group, n, instances, whenHealthy) -> services.aggregators(group, n, instances, whenHealthy), n -> { }, options.settleLimit())) {
                stages.add(drains("aggregator", aggregators));
            }
        }
        return stages;
    }

    /** /reportData and the no-op route at saturation, on one gateway and on two. */
    private List<Stage> gateways(Wrk wrk, Path mix, double eventsPerRequest, List<ServiceProcess> gateways) throws Exception {
        warmUp(wrk, mix, gateways);
        CompilerThreads.Settled settled = new CompilerThreads(gateways.stream().map(ServiceProcess::pid).toList())
                .awaitQuiet(CompilerThreads.QUIET, options.settleLimit());
        progress.step(String.format(Locale.ROOT, "gateways: idle %.1f s after the warm-up %s", settled.waited().toMillis() / 1e3,
                settled.quiet() ? "until their compilers went quiet" : "without their compilers going quiet"));
        Map<Integer, List<Measured>> reportData = byInstances();
        Map<Integer, List<Measured>> noop = byInstances();
        for (int run = 1; run <= options.repeats(); run++) {
            for (int instances : order(run)) {
                List<ServiceProcess> used = gateways.subList(0, instances);
                progress.step("gateways, run " + run + ": " + instances + " of them, the no-op route then /reportData at saturation");
                noop.get(instances).add(saturate(wrk, mix, used, NOOP, 0));
                Measured measured = saturate(wrk, mix, used, REPORT_DATA, eventsPerRequest);
                reportData.get(instances).add(measured);
                progress.step(String.format(Locale.ROOT, "%d gateway%s: %,.0f requests/s answered 202 on /reportData, the no-op route %,.0f",
                        instances, instances == 1 ? "" : "s", measured.rate(), noop.get(instances).get(noop.get(instances).size() - 1).rate()));
            }
        }
        Stage noopStage = Stage.of("gateway's no-op route (what wrk drives with no work done)", "requests/s", noop.get(1), noop.get(MOST), "");
        Stage reportDataStage = Stage.of("gateway, /reportData at saturation", "requests/s", reportData.get(1), reportData.get(MOST), "");
        return List.of(reportDataStage.withFinding(ScaleOutReport.wrkCeiling(reportDataStage, noopStage)), noopStage);
    }

    /**
     * A fresh JVM runs its first minute mostly interpreted (the pipeline benchmark's cold start: a
     * third of the warm rate in the first 10 s), so both gateways take /reportData in rounds,
     * unmeasured, until a round's rate is no more than 5 % above the best before it (at most
     * {@value #WARM_UP_ROUNDS} rounds), then the no-op route once; afterwards they are left idle
     * until their compilers have caught up, as a consumer is paused after its warm-up.
     */
    private void warmUp(Wrk wrk, Path mix, List<ServiceProcess> gateways) throws Exception {
        double best = 0;
        for (int round = 1; round <= WARM_UP_ROUNDS; round++) {
            double rate = wrk.saturateEach(urls(gateways, REPORT_DATA), mix, options.connections(), options.loadRun()).acceptedPerSecond();
            progress.step(String.format(Locale.ROOT, "gateways: warming both up, round %d: %,.0f requests/s on /reportData", round, rate));
            if (rate <= best * 1.05) {
                break;
            }
            best = Math.max(best, rate);
        }
        wrk.saturateEach(urls(gateways, NOOP), mix, options.connections(), options.loadRun());
    }

    /**
     * One load of the {@code gateways} at saturation; with {@code eventsPerRequest}, the CPU the
     * gateways and the infrastructure took per event (none for the no-op route, which takes no event).
     */
    private Measured saturate(Wrk wrk, Path mix, List<ServiceProcess> gateways, String path, double eventsPerRequest) throws Exception {
        long[] pids = gateways.stream().mapToLong(ServiceProcess::pid).toArray();
        CpuTime cpu = CpuTime.now(pids);
        MachineCpu machine = MachineCpu.now();
        Wrk.Together load = wrk.saturateEach(urls(gateways, path), mix, options.connections(), options.loadRun());
        double busy = MachineCpu.now().busyShareSince(machine);
        CpuTime.PerEvent perEvent = eventsPerRequest == 0 ? null
                : CpuTime.now(pids).since(cpu).perEvent(Math.max(1, Math.round(load.accepted() * eventsPerRequest)));
        if (load.refused() > 0 || load.socketErrors() > 0) {
            progress.step(String.format(Locale.ROOT, "%s: %,d answers of 400 or more and %,d socket errors, not counted", path, load.refused(),
                    load.socketErrors()));
        }
        return new Measured(load.acceptedPerSecond(), perEvent, busy);
    }

    /** The backlog drained by one instance and by two, {@code repeats} times each. */
    private Stage drains(String consumer, DrainRuns runs) throws Exception {
        Map<Integer, List<Measured>> drained = byInstances();
        List<List<Long>> shares = new ArrayList<>();
        for (int run = 1; run <= options.repeats(); run++) {
            for (int instances : order(run)) {
                progress.step(consumer + ", run " + run + ": " + instances + (instances == 1 ? " instance" : " instances")
                        + " of one group draining the backlog after their warm-up");
                ConsumerDrain.Drained drain = runs.run(instances, DrainRuns.Baseline.NONE).drain();
                drained.get(instances).add(new Measured(drain.eventsPerSecond(), drain.cpu(), drain.machineBusy()));
                if (instances > 1) {
                    shares.add(drain.eventsByInstance());
                }
                progress.step(String.format(Locale.ROOT, "%s: paused %.1f s after the warm-up %s, then drained at %,.0f events/s;"
                                + " events by instance %s", consumer, drain.settled().waited().toMillis() / 1e3,
                        drain.settled().quiet() ? "until the compilers went quiet" : "without the compilers going quiet",
                        drain.eventsPerSecond(), drain.eventsByInstance()));
            }
        }
        return Stage.of(consumer + ", drain of a backlog", "events/s", drained.get(1), drained.get(MOST), ScaleOutReport.shares(shares));
    }

    private static Map<Integer, List<Measured>> byInstances() {
        Map<Integer, List<Measured>> byInstances = new LinkedHashMap<>();
        byInstances.put(1, new ArrayList<>());
        byInstances.put(MOST, new ArrayList<>());
        return byInstances;
    }

    private static List<URI> urls(List<ServiceProcess> services, String path) {
        return services.stream().map(service -> URI.create(service.url() + path)).toList();
    }
}
