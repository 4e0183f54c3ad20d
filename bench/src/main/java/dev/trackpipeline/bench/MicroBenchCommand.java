package dev.trackpipeline.bench;

import dev.trackpipeline.bench.BenchReport.Figure;
import dev.trackpipeline.bench.BenchReport.Spread;
import dev.trackpipeline.launcher.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bin/track micro-bench}: runs {@link PerEventBenchmarks} with JMH and writes, beside JMH's
 * own JSON, a Markdown table of each step of our per-event code against the library doing that
 * step alone.
 */
@Command(name = "micro-bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"JMH micro-benchmarks of the consumers' per-event code on the captured mix, each beside its library's",
                "baseline; writes bench/results/<date>-micro.md and JMH's JSON."})
public final class MicroBenchCommand implements Callable<Integer> {

    /** Ours, and the baseline it is measured against. */
    private record Pair(String name, String ours, String baselineName, String baseline) {
    }

    private static final List<Pair> PAIRS = List.of(
            new Pair("the writer reads an event (headers, JSON tree, validation)", "writerReadsAnEvent",
                    "Jackson's tree of the same bytes", "jacksonReadsTheTree"),
            new Pair("the aggregator reads an event (skipping replay recordings)", "aggregatorReadsAnEvent",
                    "Jackson's tree of the same bytes", "jacksonReadsTheTree"),
            new Pair("the writer encodes an event's document", "writerEncodesADocument",
                    "the driver encoding the same Document", "driverEncodesTheDocument"));

    /** Forks run with the services' own heap and collector, so allocating costs what it costs them. */
    private static final String SERVICE_JVM = ServiceProcess.DEFAULT_JVM_OPTIONS;

    @Option(names = "--quick", description = "a smoke run of a few seconds, in this JVM (no fork): checks that every benchmark runs")
    boolean quick;

    @Mixin
    BenchLocations locations;

    public static void main(String[] args) {
        System.exit(new CommandLine(new MicroBenchCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path captured = locations.capturedTraffic();
        if (!Files.isRegularFile(captured)) {
            System.err.println("micro-bench: no captured traffic at " + captured + "; give --fixtures");
            return 2;
        }
        String commit = BenchCommand.gitCommit(locations.checkout());
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        String mode = quick ? "micro-quick" : "micro";
        String stem = now.format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HHmm")) + "-" + mode;
        Path results = locations.results();
        Files.createDirectories(results);
        ChainedOptionsBuilder jmh = new OptionsBuilder().include(PerEventBenchmarks.class.getName() + "\\.")
                .param("capturedTraffic", captured.toString())
                .resultFormat(ResultFormatType.JSON).result(results.resolve(stem + "-jmh.json").toString());
        int forks = quick ? 0 : 2;
        int iterations = quick ? 1 : 5;
        TimeValue iteration = quick ? TimeValue.milliseconds(200) : TimeValue.seconds(2);
        jmh.forks(forks).jvmArgs(SERVICE_JVM.split(" ")).warmupIterations(iterations).warmupTime(iteration)
                .measurementIterations(iterations).measurementTime(iteration);
        Collection<RunResult> runs = new Runner(jmh.build()).run();

        List<Figure> figures = new ArrayList<>();
        for (Pair pair : PAIRS) {
            Spread ours = iterations(runs, pair.ours());
            Spread baseline = iterations(runs, pair.baseline());
            figures.add(new Figure(pair.name(), "events/s", ours, pair.baselineName(), baseline, ours.median() / baseline.median(),
                    null, null));
        }
        var report = new BenchReport(BenchCommand.machine(commit, now),
                new BenchReport.MicroSettings(mode, Math.max(1, forks) * iterations, "the real SDK's captured events ("
                        + captured.getFileName() + "), one at a time, on one thread", forks,
                        iteration.convertTo(TimeUnit.MILLISECONDS) / 1e3, SERVICE_JVM), figures);
        report.write(results, stem);
        System.out.println();
        System.out.print(report.markdown());
        System.out.println("\nmicro-bench: wrote " + results.resolve(stem + ".md") + ", .json and -jmh.json");
        return 0;
    }

    /** Every measured iteration of one benchmark, in events per second. */
    private static Spread iterations(Collection<RunResult> runs, String benchmark) {
        List<Double> scores = new ArrayList<>();
        for (RunResult run : runs) {
            if (run.getParams().getBenchmark().endsWith("." + benchmark)) {
                run.getBenchmarkResults().forEach(fork -> fork.getIterationResults()
                        .forEach(iteration -> scores.add(iteration.getPrimaryResult().getScore())));
            }
        }
        if (scores.isEmpty()) {
            throw new IllegalStateException("JMH reported nothing for " + benchmark);
        }
        return Spread.of(scores);
    }
}
