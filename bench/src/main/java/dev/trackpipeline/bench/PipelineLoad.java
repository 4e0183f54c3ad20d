package dev.trackpipeline.bench;

import dev.trackpipeline.bench.BenchReport.Figure;
import dev.trackpipeline.bench.BenchReport.Spread;
import dev.trackpipeline.launcher.AotCache;
import dev.trackpipeline.launcher.LocalPipeline;
import dev.trackpipeline.launcher.Service;
import dev.trackpipeline.launcher.ServicePorts;
import dev.trackpipeline.launcher.ServiceProcess;
import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.model.kafka.ConsumerGroups;
import dev.trackpipeline.model.kafka.TopicNames;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The whole pipeline as users meet it: {@code bin/track infra} in a process of its own, the three
 * services from their jars with the JVM options users get, and wrk posting the real SDK's
 * captured requests (each with a session of its own) to {@code /reportData}:
 * <ol>
 *   <li>the cold start: requests/s and p99 per window from the moment every service is healthy;</li>
 *   <li>the sustained rate: the highest paced request rate at which the writer's and the
 *       aggregator's committed lag stays bounded, with each process's CPU per event there;</li>
 *   <li>the whole pipeline at saturation once warm;</li>
 *   <li>the gateway alone (the consumers stopped) beside its own no-op route, both from wrk;</li>
 *   <li>every process's peak resident memory, the infrastructure's included.</li>
 * </ol>
 */
final class PipelineLoad {

    /** How much to measure; quick is a smoke run for the test suite, whose figures are not judged. */
    record Options(Path home, Path capturedTraffic, String mode, int connections, Duration window, int coldWindows,
                   Duration step, int maxSteps, double firstRate, Duration alone) {
    }

    /** One paced step: what was offered, what wrk sent, and whether both consumers kept up. */
    record Step(double targetRate, Wrk.Result sent, long maxLagLateInStep, long lagBound, boolean bounded, Map<String, Double> cpuMicrosPerEvent) {

        /** The rate reported is what wrk sent, which pacing by pauses gets only near the rate asked. */
        boolean sustained() {
            return bounded && sent.refused() == 0 && sent.socketErrors() == 0;
        }
    }

    private static final String APIKEY = "demo-project";
    private static final Duration CATCH_UP_LIMIT = Duration.ofMinutes(5);
    /** Lag a consumer that keeps up may show: this many seconds of the offered events (and never less than the floor). */
    private static final double LAG_BOUND_SECONDS = 5;
    private static final long LAG_BOUND_FLOOR = 1_000;

    private final Options options;
    private final ProgressLines progress;

    PipelineLoad(Options options, PrintStream progress) {
        this.options = options;
        this.progress = new ProgressLines(progress);
    }

    List<Figure> run(Path workDir) throws Exception {
        List<Figure> figures = new ArrayList<>();
        Path mix = workDir.resolve("captured.mix");
        double eventsPerRequest = WrkMix.captured(options.capturedTraffic(), mix);
        Path projects = PipelineServices.writeProjects(workDir.resolve("projects.yml"), APIKEY, "bench-read-token");
        Wrk wrk = new Wrk(workDir, 2);
        boolean onAotCaches = recordAotCaches(wrk, mix, projects, workDir, figures);
        progress.step("starting the infrastructure (bin/track infra) in a process of its own");
        try (InfraChild infra = InfraChild.start(options.home(), workDir.resolve("data"), Duration.ofMinutes(3));
             PipelineServices services = new PipelineServices(options.home(), infra, projects, workDir.resolve("logs"))) {
            long starting = System.nanoTime();
            services.startAll();
            double startSeconds = (System.nanoTime() - starting) / 1e9;
            progress.step(String.format(Locale.ROOT, "every service healthy %.1f s after the first was started", startSeconds));
            URI reportData = URI.create(services.gateway().url() + "/reportData");
            URI noop = URI.create(services.gateway().url() + "/bench/noop");

            // Where the first minute goes: the four JVMs compile their hot code while they serve it.
            List<Wrk.Result> cold = new ArrayList<>();
            List<Double> compilersShare = new ArrayList<>();
            Map<String, ProcessUsage> coldStarted = services.usageByProcess(infra);
            Map<String, ProcessUsage> windowStarted = coldStarted;
            for (int window = 0; window < options.coldWindows(); window++) {
                cold.add(wrk.saturate(reportData, mix, options.connections(), options.window()));
                Map<String, ProcessUsage> windowEnded = services.usageByProcess(infra);
                compilersShare.add(compilerSeconds(windowStarted, windowEnded).values().stream().mapToDouble(Double::doubleValue).sum()
                        / (options.window().toSeconds() * (double) Runtime.getRuntime().availableProcessors()));
                windowStarted = windowEnded;
                progress.step(String.format(Locale.ROOT, "cold start, window %d: %,.0f requests/s, p99 %.1f ms, %d refused", window + 1,
                        cold.get(window).requestsPerSecond(), cold.get(window).p99Ms(), cold.get(window).refused()));
            }

            try (KafkaOffsets offsets = new KafkaOffsets(infra.kafkaBootstrapServers(),
                    TopicNames.defaults().eventTopics(new EventFamilies()))) {
                catchUp(offsets);
                List<Step> steps = searchSustainedRate(wrk, reportData, mix, offsets, services, infra, eventsPerRequest);
                Step best = steps.stream().filter(step -> step.sustained())
                        .max((a, b) -> Double.compare(a.sent().requestsPerSecond(), b.sent().requestsPerSecond())).orElse(null);

                catchUp(offsets);
                progress.step("whole pipeline at saturation, warm");
                Wrk.Result warm = wrk.saturate(reportData, mix, options.connections(), options.alone());
                progress.step(String.format(Locale.ROOT, "warm saturation: %,.0f requests/s, p99 %.1f ms", warm.requestsPerSecond(), warm.p99Ms()));
                catchUp(offsets);

                Map<String, Double> peakRss = services.peakRss(infra);
                progress.step("gateway alone: the consumers stopped; /reportData and the no-op route, each " + options.alone().toSeconds() + " s");
                services.stopConsumers();
                ProcessUsage gatewayBefore = services.usage(Service.GATEWAY);
                Wrk.Result alone = wrk.saturate(reportData, mix, options.connections(), options.alone());
                double gatewayCpu = services.usage(Service.GATEWAY).cpuMicrosPerEventSince(gatewayBefore, alone.requests() * eventsPerRequest);
                Wrk.Result noopResult = wrk.saturate(noop, mix, options.connections(), options.alone());

                figures.add(single("whole pipeline, sustained (both consumers' lag bounded for " + options.step().toSeconds() + " s)",
                        "requests/s", best == null ? 0 : best.sent().requestsPerSecond(), null, null));
                figures.add(single("whole pipeline, sustained", "events/s",
                        best == null ? 0 : best.sent().requestsPerSecond() * eventsPerRequest, null, null));
                if (best != null) {
                    figures.add(single("whole pipeline, sustained: p99", "ms", best.sent().p99Ms(), null, null));
                    best.cpuMicrosPerEvent().forEach((process, micros) ->
                            figures.add(single("CPU per event at the sustained rate: " + process, "µs", micros, null, null)));
                }
                figures.add(single("whole pipeline at saturation, warm (the consumers fall behind)", "requests/s",
                        warm.requestsPerSecond(), null, null));
                figures.add(single("whole pipeline at saturation, warm: p99", "ms", warm.p99Ms(), null, null));
                long windowSeconds = options.window().toSeconds();
                int reached = -1;
                double bestWithin30 = 0;
                for (int window = 0; window < cold.size(); window++) {
                    Wrk.Result result = cold.get(window);
                    String name = String.format(Locale.ROOT, "cold start, %d-%d s after ready", window * windowSeconds,
                            (window + 1) * windowSeconds);
                    figures.add(new Figure(name, "requests/s", Spread.of(List.of(result.requestsPerSecond())), "warm saturation",
                            Spread.of(List.of(warm.requestsPerSecond())), result.requestsPerSecond() / warm.requestsPerSecond(), null, null));
                    figures.add(single(name + ": p99", "ms", result.p99Ms(), null, null));
                    figures.add(single(name + ": the JVMs' JIT compilers, share of the machine's CPU", "%",
                            100 * compilersShare.get(window), null, null));
                    if (reached < 0 && result.requestsPerSecond() >= 0.8 * warm.requestsPerSecond()) {
                        reached = window;
                    }
                    if ((window + 1) * windowSeconds <= 30) {
                        bestWithin30 = Math.max(bestWithin30, result.requestsPerSecond() / warm.requestsPerSecond());
                    }
                }
                figures.add(single("cold start: best window within 30 s of ready, as a share of warm saturation", "×", bestWithin30,
                        "≥ 0.8×", bestWithin30 >= 0.8));
                if (reached >= 0) {
                    figures.add(single("cold start: end of the first window at ≥ 0.8× warm saturation", "s after ready",
                            (reached + 1) * windowSeconds, null, null));
                }
                compilerSeconds(coldStarted, windowStarted).forEach((process, seconds) -> figures.add(single(
                        "cold start, first " + cold.size() * windowSeconds + " s: CPU of the JIT compilers: " + process, "s", seconds, null, null)));
                figures.add(single("time from starting the services to all healthy", "s", startSeconds, null, null));
                figures.add(single("cold start: services ran on their AOT caches (1 yes, 0 no)", "", onAotCaches ? 1 : 0, null, null));
                figures.add(new Figure("gateway alone at saturation", "requests/s", Spread.of(List.of(alone.requestsPerSecond())),
                        "its no-op route (wrk)", Spread.of(List.of(noopResult.requestsPerSecond())),
                        alone.requestsPerSecond() / noopResult.requestsPerSecond(), "≥ 0.5× no-op", alone.requestsPerSecond() >= 0.5 * noopResult.requestsPerSecond()));
                figures.add(new Figure("gateway alone at saturation: p99", "ms", Spread.of(List.of(alone.p99Ms())), "its no-op route",
                        Spread.of(List.of(noopResult.p99Ms())), null, null, null));
                figures.add(single("gateway alone: its CPU per event", "µs", gatewayCpu, null, null));
                peakRss.putAll(services.peakRss(infra)); // the gateway and the infrastructure, now at their peaks
                peakRss.forEach((process, mib) -> figures.add(single("peak RSS: " + process, "MiB", mib, null, null)));
            }
        }
        return figures;
    }

    private List<Step> searchSustainedRate(Wrk wrk, URI reportData, Path mix, KafkaOffsets offsets, PipelineServices services, InfraChild infra,
                                           double eventsPerRequest) throws Exception {
        List<Step> steps = new ArrayList<>();
        double rate = options.firstRate();
        Double good = null;
        Double bad = null;
        double latencyMs = 0;
        for (int n = 0; n < options.maxSteps(); n++) {
            catchUp(offsets);
            Step step = pacedStep(wrk, reportData, mix, offsets, services, infra, rate, eventsPerRequest, latencyMs);
            latencyMs = step.sent().p50Ms();
            steps.add(step);
            boolean sustained = step.sustained();
            progress.step(String.format(Locale.ROOT, "paced at %,.0f requests/s: sent %,.0f/s, p99 %.1f ms, %d refused, late lag at most %,d"
                            + " (bound %,d): %s", rate, step.sent().requestsPerSecond(), step.sent().p99Ms(), step.sent().refused(),
                    step.maxLagLateInStep(), step.lagBound(), sustained ? "sustained" : "not sustained"));
            if (sustained) {
                good = good == null ? rate : Math.max(good, rate);
            } else {
                bad = bad == null ? rate : Math.min(bad, rate);
            }
            if (bad == null) {
                rate *= 1.6;
            } else if (good == null) {
                rate /= 2;
            } else if (bad / good < 1.1) {
                break;
            } else {
                rate = (good + bad) / 2;
            }
        }
        return steps;
    }

    private Step pacedStep(Wrk wrk, URI reportData, Path mix, KafkaOffsets offsets, PipelineServices services, InfraChild infra, double rate,
                           double eventsPerRequest, double latencyMs) throws Exception {
        List<long[]> lags = new CopyOnWriteArrayList<>(); // {millis into the step, largest lag of the two groups}
        long stepStart = System.nanoTime();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        sampler.scheduleAtFixedRate(() -> {
            try {
                lags.add(new long[] {(System.nanoTime() - stepStart) / 1_000_000, largestLag(offsets)});
            } catch (Exception e) {
                // a missed sample; the next one counts
            }
        }, 1, 2, TimeUnit.SECONDS);
        Map<String, ProcessUsage> before = services.usageByProcess(infra);
        Wrk.Result sent;
        try {
            sent = wrk.paced(reportData, mix, Math.max(options.connections(), 64), rate, latencyMs, options.step());
        } finally {
            sampler.shutdownNow();
            sampler.awaitTermination(10, TimeUnit.SECONDS);
        }
        Map<String, ProcessUsage> after = services.usageByProcess(infra);
        double events = sent.requests() * eventsPerRequest;
        Map<String, Double> cpu = new LinkedHashMap<>();
        after.forEach((process, usage) -> cpu.put(process, usage.cpuMicrosPerEventSince(before.get(process), events)));
        long half = options.step().toMillis() / 2;
        long lateLag = lags.stream().filter(sample -> sample[0] >= half).mapToLong(sample -> sample[1]).max().orElse(Long.MAX_VALUE);
        long bound = Math.max(LAG_BOUND_FLOOR, Math.round(LAG_BOUND_SECONDS * sent.requestsPerSecond() * eventsPerRequest));
        return new Step(rate, sent, lateLag, bound, lateLag <= bound, cpu);
    }

    private static long largestLag(KafkaOffsets offsets) throws Exception {
        long end = KafkaOffsets.sum(offsets.ends().values());
        return Math.max(end - offsets.committed(ConsumerGroups.WRITER), end - offsets.committed(ConsumerGroups.AGGREGATOR));
    }

    /** Waits until both consumers have committed everything in the topics, so a step starts from nothing behind. */
    private void catchUp(KafkaOffsets offsets) throws Exception {
        long deadline = System.nanoTime() + CATCH_UP_LIMIT.toNanos();
        long lag = largestLag(offsets);
        if (lag == 0) {
            return;
        }
        progress.step(String.format(Locale.ROOT, "waiting for the consumers to catch up on %,d events", lag));
        long started = System.nanoTime();
        while ((lag = largestLag(offsets)) > 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the consumers did not catch up within " + CATCH_UP_LIMIT + "; " + lag + " events behind");
            }
            TimeUnit.SECONDS.sleep(1);
        }
        progress.step(String.format(Locale.ROOT, "caught up in %.0f s", (System.nanoTime() - started) / 1e9));
    }


    /**
     * On Java 25 a service's (and the infrastructure's) first run of a build records its AOT cache
     * and every later start runs on it (the launcher's AotCache), so a user meets the cold start
     * below from the second start on. When this build has no caches yet, a first run of the whole pipeline (infrastructure
     * included, stopped after) records them under the same load, and its first windows are
     * reported as the start without a cache. Returns whether the measured cold start runs on them.
     */
    private boolean recordAotCaches(Wrk wrk, Path mix, Path projects, Path workDir, List<Figure> figures) throws Exception {
        AotCache aot = AotCache.forThisJvm();
        if (!aot.enabled()) {
            progress.step("no AOT caches: Java " + Runtime.version().feature() + " (they need " + AotCache.FIRST_JAVA_RELEASE
                    + " or newer) or TRACK_AOT_CACHE=off");
            return false;
        }
        boolean recorded = true;
        for (Service service : Service.values()) {
            recorded &= aot.recorded(BenchServices.jarOf(options.home(), service), service.module());
        }
        recorded &= aot.recorded(InfraChild.jar(options.home()), LocalPipeline.INFRASTRUCTURE_MODULE);
        if (recorded) {
            progress.step("the AOT caches of this build (the services' and the infrastructure's) were recorded by an earlier run");
            return true;
        }
        int windows = Math.max(1, options.coldWindows() / 2);
        progress.step("a first run of this build records its AOT caches (the services' and the infrastructure's): the pipeline started, " + windows
                + " windows at saturation, stopped");
        try (InfraChild infra = InfraChild.start(options.home(), workDir.resolve("data-first-run"), Duration.ofMinutes(3));
             PipelineServices services = new PipelineServices(options.home(), infra, projects, workDir.resolve("logs-first-run"))) {
            services.startAll();
            URI reportData = URI.create(services.gateway().url() + "/reportData");
            long windowSeconds = options.window().toSeconds();
            for (int window = 0; window < windows; window++) {
                Wrk.Result result = wrk.saturate(reportData, mix, options.connections(), options.window());
                String name = String.format(Locale.ROOT, "first start of a build (recording its AOT caches), %d-%d s after ready",
                        window * windowSeconds, (window + 1) * windowSeconds);
                progress.step(String.format(Locale.ROOT, "%s: %,.0f requests/s, p99 %.1f ms", name, result.requestsPerSecond(), result.p99Ms()));
                figures.add(single(name, "requests/s", result.requestsPerSecond(), null, null));
            }
        }
        return true;
    }

    /** Each JVM's compilers' CPU seconds between two readings (redis-server has none, and is left out). */
    private static Map<String, Double> compilerSeconds(Map<String, ProcessUsage> earlier, Map<String, ProcessUsage> later) {
        Map<String, Double> seconds = new LinkedHashMap<>();
        later.forEach((process, usage) -> {
            if (!usage.compilerCpu().isZero()) {
                seconds.put(process, usage.compilerSecondsSince(earlier.get(process)));
            }
        });
        return seconds;
    }

    private static Figure single(String name, String unit, double value, String target, Boolean met) {
        return new Figure(name, unit, Spread.of(List.of(value)), null, null, null, target, met);
    }
}
