package dev.trackpipeline.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.ToDoubleFunction;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bin/track soak}: runs {@link Soak} and writes its samples and trends under {@code bench/results/}. */
@Command(name = "soak", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs the pipeline under a steady load (by default half of the gateway's saturation) for a chosen time",
                "and reports, per interval, throughput, latency, consumer lag, end-to-end latency, heap and RSS."})
public final class SoakCommand implements Callable<Integer> {

    @Option(names = "--duration", description = "how long the load runs, such as 30m or 90s (default 30m)")
    String duration = "30m";

    @Option(names = "--interval", description = "how often to sample, such as 30s (default 30s)")
    String interval = "30s";

    @Option(names = "--rate", description = "events per second (default: half of the gateway's saturation, measured first)")
    Double rate;

    @Mixin
    BenchLocations locations;

    public static void main(String[] args) {
        System.exit(new CommandLine(new SoakCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        ChildProcesses.stopWhenThisProcessStops();
        Path checkout = locations.checkout();
        Path captured = locations.capturedTraffic();
        if (!Files.isRegularFile(captured)) {
            System.err.println("soak: no captured traffic at " + captured + "; give --fixtures");
            return 2;
        }
        Duration length = Duration.parse("PT" + duration.toUpperCase(Locale.ROOT));
        Duration every = Duration.parse("PT" + interval.toUpperCase(Locale.ROOT));
        Path work = Files.createTempDirectory("track-soak");
        Soak.Result result = new Soak(new Soak.Options(checkout, TrafficMix.fromFixtures(captured), length, every, rate), System.out).run(work);

        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        String markdown = markdown(result, length, every, now);
        Path results = locations.results();
        Files.createDirectories(results);
        Path file = results.resolve("soak-" + now.format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HHmm")) + ".md");
        Files.writeString(file, markdown);
        System.out.println();
        System.out.print(markdown);
        System.out.println("\nsoak: wrote " + file);
        return 0;
    }

    static String markdown(Soak.Result result, Duration length, Duration every, ZonedDateTime now) throws IOException {
        StringBuilder out = new StringBuilder();
        out.append("# Soak, ").append(now.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)).append("\n\n");
        out.append(String.format(Locale.ROOT, "%.0f events/s of the captured SDK traffic for %s, sampled every %s%s.%n%n",
                result.eventsPerSecond(), length, every, Double.isNaN(result.saturationPerSecond()) ? ""
                        : String.format(Locale.ROOT, " (half of the %.0f/s the gateway took at saturation)", result.saturationPerSecond())));
        out.append("| s | events/s | failed | p50 ms | p99 ms | writer lag | aggregator lag | e2e p99 writer | e2e p99 aggregator "
                + "| heap MiB gw/wr/ag | live heap MiB gw/wr/ag | RSS MiB gw/wr/ag |\n");
        out.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Soak.Sample sample : result.samples()) {
            out.append(String.format(Locale.ROOT, "| %d | %.0f | %d | %.1f | %.1f | %d | %d | ≤ %s | ≤ %s | %s | %s | %s |%n",
                    sample.elapsedSeconds(), sample.eventsPerSecond(), sample.failures(), sample.p50Ms(), sample.p99Ms(),
                    sample.writerLag(), sample.aggregatorLag(), millis(sample.writerEndToEndP99Ms()),
                    millis(sample.aggregatorEndToEndP99Ms()), triple(sample.heapMiB()), triple(sample.liveHeapMiB()), triple(sample.rssMiB())));
        }
        out.append("\nTrend, mean of the last third of the samples against the first third:\n\n");
        trend(out, result.samples(), "gateway p99 ms", Soak.Sample::p99Ms);
        trend(out, result.samples(), "writer lag", sample -> sample.writerLag());
        trend(out, result.samples(), "aggregator lag", sample -> sample.aggregatorLag());
        for (String service : List.of("gateway", "consumer-writer", "consumer-aggregator")) {
            trend(out, result.samples(), service + " live heap MiB", sample -> sample.liveHeapMiB().get(service));
            trend(out, result.samples(), service + " RSS MiB", sample -> sample.rssMiB().get(service));
        }
        return out.toString();
    }

    private static void trend(StringBuilder out, List<Soak.Sample> samples, String name, ToDoubleFunction<Soak.Sample> value) {
        int third = Math.max(1, samples.size() / 3);
        double first = samples.subList(0, third).stream().mapToDouble(value).average().orElse(Double.NaN);
        double last = samples.subList(samples.size() - third, samples.size()).stream().mapToDouble(value).average().orElse(Double.NaN);
        out.append(String.format(Locale.ROOT, "- %s: %.1f → %.1f%n", name, first, last));
    }

    private static String millis(double value) {
        return Double.isNaN(value) ? "–" : Double.isInfinite(value) ? "∞" : String.format(Locale.ROOT, "%.0f", value);
    }

    private static String triple(Map<String, Double> values) {
        return String.join("/", values.values().stream().map(value -> String.format(Locale.ROOT, "%.0f", value)).toList());
    }
}
