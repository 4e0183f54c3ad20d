package dev.trackpipeline.bench;

import dev.trackpipeline.bench.BenchReport.Figure;
import dev.trackpipeline.bench.BenchReport.Spread;
import dev.trackpipeline.launcher.ServiceProcess;
import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.model.kafka.EventRecord;
import dev.trackpipeline.model.kafka.TopicNames;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.FutureTask;
import java.util.function.ToDoubleFunction;

/**
 * The benchmark, stage by stage, each beside its baseline from the same run:
 * <ol>
 *   <li>the gateway: {@code /reportData} against the no-op route of the same server, at saturation
 *       and at half of it; batches of 10 and 50 against Kafka's ProducerPerformance;</li>
 *   <li>the writer and the aggregator draining prepared events against raw {@code insertMany}
 *       and raw pipelined Redis commands doing the same work;</li>
 *   <li>end-to-end latency at half load, and each service's peak memory under load.</li>
 * </ol>
 */
final class Benchmark {

    /** How much to measure; {@link #quick} for a smoke run under two minutes. */
    record Options(Path home, TrafficMix traffic, String trafficName, String mode, int repeats, Duration warmUp, Duration measure,
                   int connections, int drainEvents, int drainWarmUpEvents, Duration drainSettleLimit, int probes) {

        static final int MAX_REPEATS = 5;

        Options {
            if (repeats < 1 || repeats > MAX_REPEATS) {
                throw new IllegalArgumentException("--repeats: must be between 1 and " + MAX_REPEATS + ", got " + repeats);
            }
        }
    }

    private static final String TEXT_PLAIN = "text/plain;charset=UTF-8";
    private static final String JSON = "application/json";
    private static final int BODIES_PER_POOL = 4_000;
    /** ProducerPerformance writes to a topic of its own, shaped like an event topic. */
    private static final String PRODUCER_TOPIC = "bench.producer-performance";
    private static final int EVENT_TOPIC_PARTITIONS = 6;

    private final Options options;
    private final ProgressLines progress;
    private final List<String> eventTopics = TopicNames.defaults().eventTopics(new EventFamilies());


    Benchmark(Options options, PrintStream progress) {
        this.options = options;
        this.progress = new ProgressLines(progress);
    }

    List<Figure> run(Path workDir) throws Exception {
        List<Figure> figures = new ArrayList<>();
        try (BenchServices services = new BenchServices(options.home(), workDir, false);
             HttpLoad load = new HttpLoad();
             KafkaOffsets offsets = new KafkaOffsets(services.infrastructure().kafkaBootstrapServers(), eventTopics)) {
            String bootstrap = services.infrastructure().kafkaBootstrapServers();
            progress.step("starting the gateway");
            ServiceProcess gateway = services.gateway();
            offsets.createTopic(PRODUCER_TOPIC, EVENT_TOPIC_PARTITIONS);
            URI reportData = URI.create(gateway.url() + "/reportData");
            URI noop = URI.create(gateway.url() + "/bench/noop");
            List<byte[]> singles = options.traffic().events(BODIES_PER_POOL);
            List<byte[]> batchesOf10 = options.traffic().batches(BODIES_PER_POOL / 10, 10);
            List<byte[]> batchesOf50 = options.traffic().batches(BODIES_PER_POOL / 50, 50);

            List<HttpLoad.Result> noopMax = new ArrayList<>();
            List<HttpLoad.Result> ingestMax = new ArrayList<>();
            List<HttpLoad.Result> noopHalf = new ArrayList<>();
            List<HttpLoad.Result> ingestHalf = new ArrayList<>();
            List<Double> batch10 = new ArrayList<>();
            List<Double> batch50 = new ArrayList<>();
            List<Double> producer = new ArrayList<>();
            ResourceSampler.Peak gatewayPeak;
            try (ResourceSampler gatewayMemory = new ResourceSampler(gateway)) {
                // A fresh JVM runs its first minute mostly interpreted; every shape of load once,
                // unmeasured, so the first run measures compiled code as the last one does.
                progress.step("gateway: warming up the JIT with every kind of request");
                for (var shape : List.of(Map.entry(noop, singles), Map.entry(reportData, singles), Map.entry(reportData, batchesOf10),
                        Map.entry(reportData, batchesOf50))) {
                    load.saturate(shape.getKey(), shape.getValue() == singles ? TEXT_PLAIN : JSON, shape.getValue(), 202,
                            options.connections(), Duration.ZERO, options.warmUp());
                }
                for (int run = 1; run <= options.repeats(); run++) {
                    progress.step("gateway, run " + run + ": no-op route and /reportData at saturation");
                    noopMax.add(saturate(load, noop, TEXT_PLAIN, singles));
                    ingestMax.add(saturate(load, reportData, TEXT_PLAIN, singles));
                    double half = ingestMax.get(ingestMax.size() - 1).requestsPerSecond() / 2;
                    progress.step("gateway, run " + run + ": both at half of /reportData's saturation, " + Math.round(half) + " requests/s");
                    ingestHalf.add(load.atRate(reportData, TEXT_PLAIN, singles, 202, half, options.warmUp(), options.measure()));
                    noopHalf.add(load.atRate(noop, TEXT_PLAIN, singles, 202, half, options.warmUp(), options.measure()));
                    progress.step("gateway, run " + run + ": batches of 10 and 50, and ProducerPerformance");
                    batch10.add(saturate(load, reportData, JSON, batchesOf10).requestsPerSecond() * 10);
                    batch50.add(saturate(load, reportData, JSON, batchesOf50).requestsPerSecond() * 50);
                    long records = Math.max(20_000, Math.round(batch50.get(batch50.size() - 1) * options.measure().toSeconds()));
                    producer.add(ProducerBaseline.run(bootstrap, PRODUCER_TOPIC, singles.subList(0, 1_000), records, workDir));
                }
                gatewayPeak = gatewayMemory.peak();
            }
            figures.add(ratio("gateway single events at saturation", "requests/s", ingestMax, HttpLoad.Result::requestsPerSecond,
                    "no-op route", noopMax, 0.5));
            figures.add(plain("gateway p50 at saturation", "ms", ingestMax, HttpLoad.Result::p50Ms, "no-op route", noopMax));
            figures.add(plain("gateway p99 at saturation", "ms", ingestMax, HttpLoad.Result::p99Ms, "no-op route", noopMax));
            figures.add(plain("gateway p50 at half load", "ms", ingestHalf, HttpLoad.Result::p50Ms, "no-op route", noopHalf));
            figures.add(plain("gateway p99 at half load", "ms", ingestHalf, HttpLoad.Result::p99Ms, "no-op route", noopHalf));
            figures.add(ratio("gateway batches of 10", "events/s", batch10, "ProducerPerformance", producer, 0.5));
            figures.add(ratio("gateway batches of 50", "events/s", batch50, "ProducerPerformance", producer, 0.5));

            progress.step("filling the topics with " + options.drainWarmUpEvents() + " events to warm each consumer up, then "
                    + options.drainEvents() + " to measure");
            Backlog backlog = Backlog.fill(offsets, reportData, options.traffic(), options.drainWarmUpEvents(), options.drainEvents());
            List<EventRecord> prepared = StoredEvents.read(bootstrap, backlog.warmedUp(), backlog.end());

            DrainRuns writer = new DrainRuns(services, offsets, backlog, "bench-writer-",
                    (group, n, instances, whenHealthy) -> services.writers(group, "bench_writer_" + n, instances, whenHealthy),
                    n -> services.dropDatabase("bench_writer_" + n), options.drainSettleLimit());
            for (int run = 1; run <= options.repeats(); run++) {
                progress.step("writer, run " + run + ": raw insertMany of " + prepared.size() + " documents after " + options.drainWarmUpEvents()
                        + " unmeasured, then the writer draining the same events after its warm-up");
                DrainRuns.Run drained = writer.run(1, n -> {
                    StoreBaselines.Measured measured = StoreBaselines.insertMany(services.mongoUri("bench_raw_" + n),
                            "bench_raw_" + n, prepared, options.drainWarmUpEvents());
                    services.dropDatabase("bench_raw_" + n);
                    return measured;
                });
                settled("writer", drained);
            }
            figures.add(ratio("writer drain", "events/s", writer.each(DrainRuns.Run::rate), "raw insertMany",
                    writer.each(DrainRuns.Run::baselineRate), 0.7));
            figures.addAll(cpuFigures("writer", writer, "raw insertMany"));

            DrainRuns aggregator = new DrainRuns(services, offsets, backlog, "bench-aggregator-",
                    (group, n, instances, whenHealthy) -> services.aggregators(group, n, instances, whenHealthy), n -> { }, options.drainSettleLimit());
            for (int run = 1; run <= options.repeats(); run++) {
                progress.step("aggregator, run " + run + ": raw pipelined Redis commands for " + prepared.size() + " events, then the aggregator draining them");
                DrainRuns.Run drained = aggregator.run(1,
                        n -> StoreBaselines.pipelinedRedis(services.infrastructure().redis(), Options.MAX_REPEATS + n, prepared));
                settled("aggregator", drained);
            }
            figures.add(ratio("aggregator drain", "events/s", aggregator.each(DrainRuns.Run::rate), "raw pipelined Redis",
                    aggregator.each(DrainRuns.Run::baselineRate), 0.5));
            figures.addAll(cpuFigures("aggregator", aggregator, "raw pipelined Redis"));

            // Half of what the whole pipeline sustains: its slowest stage, with all three sharing the machine.
            double pipelineMax = Math.min(Spread.of(ingestMax.stream().map(HttpLoad.Result::requestsPerSecond).toList()).median(),
                    Math.min(Spread.of(writer.each(DrainRuns.Run::rate)).median(), Spread.of(aggregator.each(DrainRuns.Run::rate)).median()));
            double half = pipelineMax / 2;
            progress.step("end to end: " + options.probes() + " probes while /reportData takes " + Math.round(half) + " requests/s");
            Duration loadTime = Duration.ofSeconds(10 + options.probes() / 4);
            // A thread of its own, not the common pool: the JDK's HTTP client completes every answer
            // there (Java 25 even with the one worker two cores give it), so a load blocking that
            // worker waited for its own answers for good.
            FutureTask<HttpLoad.Result> background = new FutureTask<>(
                    () -> load.atRate(reportData, TEXT_PLAIN, singles, 202, half, Duration.ofSeconds(1), loadTime));
            Thread loader = new Thread(background, "bench-background-load");
            loader.setDaemon(true);
            loader.start();
            Thread.sleep(1_000);
            EndToEndLatency.Result e2e = new EndToEndLatency().measure(URI.create(gateway.url()),
                    services.mongoUri("bench_writer_" + options.repeats()), "bench_writer_" + options.repeats(),
                    URI.create(aggregator.current().get(0).url()), options.probes());
            background.get();
            figures.add(single("end to end p50, 202 → MongoDB, at half load", "ms", e2e.mongoP50Ms(), null, null));
            figures.add(single("end to end p99, 202 → MongoDB, at half load", "ms", e2e.mongoP99Ms(), "≤ 1000 ms", e2e.mongoP99Ms() <= 1000));
            figures.add(single("end to end p50, 202 → metrics API, at half load", "ms", e2e.metricsP50Ms(), null, null));
            figures.add(single("end to end p99, 202 → metrics API, at half load", "ms", e2e.metricsP99Ms(), "≤ 1000 ms", e2e.metricsP99Ms() <= 1000));

            ResourceSampler.Peak writerPeak = writer.peak();
            ResourceSampler.Peak aggregatorPeak = aggregator.peak();
            writer.close();
            aggregator.close();
            figures.add(single("gateway peak RSS under load", "MiB", gatewayPeak.rssMiB(), "≤ 512 MiB", gatewayPeak.rssMiB() <= 512));
            figures.add(single("gateway peak heap used", "MiB", gatewayPeak.heapMiB(), null, null));
            figures.add(single("writer peak RSS (drain, then end to end)", "MiB", writerPeak.rssMiB(), null, null));
            figures.add(single("writer peak heap used", "MiB", writerPeak.heapMiB(), null, null));
            figures.add(single("aggregator peak RSS (drain, then end to end)", "MiB", aggregatorPeak.rssMiB(), null, null));
            figures.add(single("aggregator peak heap used", "MiB", aggregatorPeak.heapMiB(), null, null));
        }
        return figures;
    }

    private HttpLoad.Result saturate(HttpLoad load, URI uri, String contentType, List<byte[]> bodies) throws InterruptedException {
        return load.saturate(uri, contentType, bodies, 202, options.connections(), options.warmUp(), options.measure());
    }

    private void settled(String consumer, DrainRuns.Run run) {
        CompilerThreads.Settled settled = run.drain().settled();
        progress.step(String.format(Locale.ROOT, "%s: paused %.1f s after its warm-up %s, then drained at %,.0f events/s", consumer,
                settled.waited().toMillis() / 1e3, settled.quiet() ? "until its compilers went quiet" : "without its compilers going quiet",
                run.rate()));
    }


    private static <T> Figure ratio(String name, String unit, List<T> ours, ToDoubleFunction<T> value, String baselineName,
                                    List<T> baseline, double target) {
        return ratio(name, unit, ours.stream().map(value::applyAsDouble).toList(), baselineName,
                baseline.stream().map(value::applyAsDouble).toList(), target);
    }

    private static Figure ratio(String name, String unit, List<Double> ours, String baselineName, List<Double> baseline, double target) {
        Spread value = Spread.of(ours);
        Spread base = Spread.of(baseline);
        double ratio = value.median() / base.median();
        return new Figure(name, unit, value, baselineName, base, ratio, "≥ " + target + "× baseline", ratio >= target);
    }

    private static <T> Figure plain(String name, String unit, List<T> ours, ToDoubleFunction<T> value, String baselineName, List<T> baseline) {
        Spread of = Spread.of(ours.stream().map(value::applyAsDouble).toList());
        Spread base = Spread.of(baseline.stream().map(value::applyAsDouble).toList());
        return new Figure(name, unit, of, baselineName, base, of.median() / base.median(), null, null);
    }

    /**
     * What a drain and its baseline cost in CPU per event, all processes together: on a machine
     * whose cores they fill, the rates can be no further apart than these are.
     */
    private static List<Figure> cpuFigures(String consumer, DrainRuns runs, String baselineName) {
        return List.of(
                plain(consumer + " drain CPU per event, all processes", "µs", runs.each(run -> run.drain().cpu().totalMicros()),
                        Double::doubleValue, baselineName, runs.each(run -> run.baseline().cpu().totalMicros())),
                unpaired(consumer + "'s own CPU per event", "µs", runs.each(run -> run.drain().cpu().serviceMicros())),
                unpaired(consumer + "'s JIT compilers' CPU per event", "µs", runs.each(run -> run.drain().compilerMicrosPerEvent())),
                unpaired(consumer + "'s pause for its compilers before the drain", "s",
                        runs.each(run -> run.drain().settled().waited().toMillis() / 1e3)));
    }

    /** A figure of every run with no baseline of its own: it explains one that has. */
    private static Figure unpaired(String name, String unit, List<Double> runs) {
        return new Figure(name, unit, Spread.of(runs), null, null, null, null, null);
    }

    private static Figure single(String name, String unit, double value, String target, Boolean met) {
        return new Figure(name, unit, Spread.of(List.of(value)), null, null, null, target, met);
    }
}
