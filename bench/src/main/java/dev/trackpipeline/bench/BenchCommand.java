package dev.trackpipeline.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bin/track bench}: runs {@link Benchmark} and writes its report under {@code bench/results/}. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measures each stage of the pipeline against its baseline in one run, on embedded infrastructure,",
                "and writes a Markdown table and a JSON file (machine, commit, every figure with its spread)."})
public final class BenchCommand implements Callable<Integer> {

    @Option(names = "--quick", description = "a smoke run under two minutes: one short run per figure")
    boolean quick;

    @Option(names = "--pipeline", description = {"the whole pipeline as users meet it, driven by wrk with the captured SDK requests:",
            "cold start, the sustained rate (consumers' lag bounded), the gateway alone beside its no-op route,",
            "CPU per event and peak RSS of every process (about 15 minutes; with --quick, about 2)"})
    boolean pipeline;

    @Option(names = "--reads", description = {"the read side at production size: a month of a busy project (--history-events of the",
            "captured mix, 500 pages, 5,000 error messages, long recordings) stored and counted by the real writer and",
            "aggregator, then every read API and a dashboard refresh per window timed over HTTP, with Redis's",
            "commands and bytes and the services' heap (with --quick, a smoke run of about 2 minutes)"})
    boolean reads;

    @Option(names = "--scale-out", description = {"each stage with one instance and with two, in one run, as ratios: the gateway at",
            "saturation (wrk with the captured requests; two gateways each get a wrk with half the connections, their rates added;",
            "beside the no-op route, wrk's ceiling), and the writer's and the aggregator's drain of a prepared backlog by one",
            "and by two instances of one consumer group; with CPU per event and how busy the machine was (about 35 minutes on two cores; with",
            "--quick, about 4). Takes --repeats, --seconds, --connections and the --drain options (--drain-settle also bounds",
            "the gateways' wait for their compilers after their warm-up)"})
    boolean scaleOut;

    @Option(names = "--history-events", paramLabel = "N", description = "events in the history --reads fills (default 1000000, quick 3000)")
    Integer historyEvents;

    @Option(names = "--repeats", description = "runs per figure; the report gives the median and the spread (default 3, quick 1)")
    Integer repeats;

    @Option(names = "--seconds", description = "measured seconds of each load run, after as long again of warm-up (default 10, quick 2)")
    Integer seconds;

    @Option(names = "--connections", description = "concurrent connections at saturation (default 64)")
    int connections = 64;

    @Option(names = "--drain-events", description = "events each consumer drains and is measured on (default 60000, quick 10000)")
    Integer drainEvents;

    @Option(names = "--drain-warm-up", paramLabel = "EVENTS",
            description = "events each fresh consumer drains unmeasured first, so its drain measures compiled code (default as many as --drain-events, quick 5000)")
    Integer drainWarmUp;

    @Option(names = "--drain-settle", paramLabel = "SECONDS",
            description = "the longest pause of a warmed-up consumer, before its drain is measured, for its JIT compilers to go quiet (default 60, quick 3)")
    Integer drainSettle;

    @Option(names = "--probes", description = "end-to-end latency probes (default 200, quick 20)")
    Integer probes;

    @Option(names = "--synthetic-bytes", paramLabel = "N",
            description = "send synthetic custom events of about N bytes instead of the captured SDK events")
    Integer syntheticBytes;

    @Mixin
    BenchLocations locations;

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        ChildProcesses.stopWhenThisProcessStops();
        Path checkout = locations.checkout();
        if (pipeline) {
            return pipelineLoad(checkout);
        }
        if (reads) {
            return reads(checkout);
        }
        if (scaleOut) {
            return scaleOut(checkout);
        }
        int runs = repeats();
        Duration measured = loadRun();
        TrafficMix traffic;
        String trafficName;
        if (syntheticBytes != null) {
            traffic = TrafficMix.synthetic(syntheticBytes);
            trafficName = "synthetic custom events of about " + syntheticBytes + " bytes";
        } else {
            Path captured = locations.capturedTraffic();
            if (!Files.isRegularFile(captured)) {
                System.err.println("bench: no captured traffic at " + captured + "; give --fixtures or --synthetic-bytes");
                return 2;
            }
            traffic = TrafficMix.fromFixtures(captured);
            trafficName = "the real SDK's captured events (" + captured.getFileName() + "), in their captured mix";
        }
        var options = new Benchmark.Options(checkout, traffic, trafficName, quick ? "quick" : "full", runs, measured, measured,
                connections, drainEvents(), drainWarmUp(), drainSettle(), probes != null ? probes : quick ? 20 : 200);

        // Read before the run: the report names the code that ran, whatever is edited while it runs.
        String commit = gitCommit(checkout);
        Path work = Files.createTempDirectory("track-bench");
        List<BenchReport.Figure> figures = new Benchmark(options, System.out).run(work);
        deleteRecursively(work);

        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        var report = new BenchReport(machine(commit, now),
                new BenchReport.PipelineSettings(options.mode(), runs, trafficName, connections, measured.toMillis() / 1000.0,
                        options.drainEvents(), options.drainWarmUpEvents(), options.drainSettleLimit().toSeconds(), options.probes()),
                figures);
        publish(report, now);
        return 0;
    }

    private int pipelineLoad(Path checkout) throws Exception {
        if (!Wrk.installed()) {
            System.err.println("bench: --pipeline drives HTTP with wrk, which is not installed (Debian package wrk: apt-get install wrk)");
            return 2;
        }
        Path captured = locations.capturedTraffic();
        var options = quick
                // A smoke run (QuickPipelineBenchIT runs it): paced steps of 6 s still give the lag two samples in their
                // second half (one every 2 s), and the saturation runs of 3 s are long enough for wrk to count.
                ? new PipelineLoad.Options(checkout, captured, "pipeline-quick", 32, Duration.ofSeconds(5), 3, Duration.ofSeconds(6), 2, 100,
                        Duration.ofSeconds(3))
                : new PipelineLoad.Options(checkout, captured, "pipeline", 32, Duration.ofSeconds(10), 6, Duration.ofSeconds(60), 7, 800,
                        Duration.ofSeconds(20));
        String commit = gitCommit(checkout);
        Path work = Files.createTempDirectory("track-bench-pipeline");
        List<BenchReport.Figure> figures = new PipelineLoad(options, System.out).run(work);
        deleteRecursively(work);
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        var report = new BenchReport(machine(commit, now), new BenchReport.LoadSettings(options.mode(), options.connections(),
                options.window().toSeconds(), options.step().toSeconds(), options.alone().toSeconds(), InfraChild.JVM_OPTIONS,
                String.join(" ", BenchServices.JVM_OPTIONS)), figures);
        publish(report, now);
        return 0;
    }

    private int scaleOut(Path checkout) throws Exception {
        if (!Wrk.installed()) {
            System.err.println("bench: --scale-out drives the gateways with wrk, which is not installed (Debian package wrk: apt-get install wrk)");
            return 2;
        }
        Path captured = locations.capturedTraffic();
        if (!Files.isRegularFile(captured)) {
            System.err.println("bench: no captured traffic at " + captured + "; give --fixtures");
            return 2;
        }
        var options = new ScaleOut.Options(checkout, captured, quick ? "scale-out-quick" : "scale-out", repeats(), connections, loadRun(),
                drainEvents(), drainWarmUp(), drainSettle());
        String commit = gitCommit(checkout);
        Path work = Files.createTempDirectory("track-bench-scale-out");
        List<ScaleOutReport.Stage> stages = new ScaleOut(options, System.out).run(work);
        deleteRecursively(work);
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        publish(new ScaleOutReport(machine(commit, now), new ScaleOutReport.Settings(options.mode(), options.repeats(), options.connections(),
                options.loadRun().toSeconds(), options.drainEvents(), options.drainWarmUpEvents(), options.settleLimit().toSeconds(),
                String.join(" ", BenchServices.JVM_OPTIONS)), stages), now);
        return 0;
    }

    private int reads(Path checkout) throws Exception {
        int events = historyEvents != null ? historyEvents : quick ? 3_000 : 1_000_000;
        var options = quick
                ? new ReadsBench.Options(checkout, locations.capturedTraffic(), "reads-quick", ProductionHistory.Shape.small(events), 5,
                        Duration.ofSeconds(2))
                : new ReadsBench.Options(checkout, locations.capturedTraffic(), "reads", ProductionHistory.Shape.ofEvents(events), 100,
                        Duration.ofSeconds(30));
        String commit = gitCommit(checkout);
        Path work = Files.createTempDirectory("track-bench-reads");
        ReadsReport.Results results = new ReadsBench(options, System.out).run(work);
        deleteRecursively(work);
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        publish(new ReadsReport(machine(commit, now), new ReadsReport.Settings(options.mode(), options.shape(), options.repetitions(),
                options.budgetPerRead().toSeconds(), String.join(" ", BenchServices.JVM_OPTIONS), InfraChild.JVM_OPTIONS),
                results.history(), results.newestEventMinutesBeforeReads(), results.reads(), results.checks(), results.counting(), results.infrastructure()), now);
        // Timings of wrong answers mean nothing: the report is written, and the run fails.
        List<ReadsReport.Check> wrong = results.checks().stream().filter(check -> !check.holds()).toList();
        wrong.forEach(check -> System.err.printf(java.util.Locale.ROOT, "bench --reads: %s %s answered %,d where the history says %,d%n",
                check.service(), check.answer(), check.answered(), check.expected()));
        return wrong.isEmpty() ? 0 : 1;
    }

    // The options the stage benchmark and --scale-out share, with their defaults.

    private int repeats() {
        return repeats != null ? repeats : quick ? 1 : 3;
    }

    private Duration loadRun() {
        return Duration.ofSeconds(seconds != null ? seconds : quick ? 2 : 10);
    }

    private int drainEvents() {
        return drainEvents != null ? drainEvents : quick ? 10_000 : 60_000;
    }

    private int drainWarmUp() {
        return drainWarmUp != null ? drainWarmUp : quick ? 5_000 : drainEvents();
    }

    private Duration drainSettle() {
        return Duration.ofSeconds(drainSettle != null ? drainSettle : quick ? 3 : 60);
    }

    /** Writes the report under its date and as the latest of its mode, and prints it. */
    private void publish(BenchResults report, ZonedDateTime now) throws IOException {
        Path results = locations.results();
        String mode = report.mode();
        String stem = now.format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HHmm")) + "-" + mode;
        report.write(results, stem);
        report.write(results, "latest-" + mode);
        System.out.println();
        System.out.print(report.markdown());
        System.out.println("\nbench: wrote " + results.resolve(stem + ".md") + " and .json");
    }

    static BenchReport.Machine machine(String commit, ZonedDateTime now) throws IOException {
        var os = ManagementFactory.getOperatingSystemMXBean();
        long memoryMiB = os instanceof com.sun.management.OperatingSystemMXBean system ? system.getTotalMemorySize() / (1024 * 1024) : -1;
        return new BenchReport.Machine(now.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME), commit,
                System.getProperty("os.name") + " " + System.getProperty("os.version"), cpuModel(),
                Runtime.getRuntime().availableProcessors(), memoryMiB,
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    }

    private static String cpuModel() throws IOException {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (!Files.exists(cpuinfo)) {
            return System.getProperty("os.arch");
        }
        try (Stream<String> lines = Files.lines(cpuinfo)) {
            return lines.filter(line -> line.startsWith("model name")).findFirst()
                    .map(line -> line.substring(line.indexOf(':') + 1).trim()).orElse(System.getProperty("os.arch"));
        }
    }

    static String gitCommit(Path checkout) throws IOException, InterruptedException {
        Process git = new ProcessBuilder("git", "-C", checkout.toString(), "describe", "--always", "--dirty", "--abbrev=12")
                .redirectErrorStream(true).start();
        String commit = new String(git.getInputStream().readAllBytes()).trim();
        return git.waitFor(10, TimeUnit.SECONDS) && git.exitValue() == 0 ? commit : "unknown";
    }

    private static void deleteRecursively(Path directory) throws IOException {
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
