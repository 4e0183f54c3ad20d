package dev.trackpipeline.aggregator;

import static dev.trackpipeline.aggregator.JunkFlood.APIKEY;

import dev.trackpipeline.aggregator.ReadsCostIsBoundedTest.Cost;
import dev.trackpipeline.aggregator.query.MetricWindow;
import dev.trackpipeline.aggregator.query.MetricsReader;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A measurement, not a test: how long each metrics read takes, and what it costs Redis, over
 * buckets filled as an attacker could ({@link AttackerFilledBuckets}: 48 hours of minute buckets
 * with 100 long failing requests each, eight days of hour and day buckets with 500 pages each).
 * Reads in this JVM, one at a time, so the figures are the reader's and Redis's, not HTTP's.
 * Run it with the module's test classpath (docs/performance.md shows the command); the argument
 * is the repetitions per read (100). "refresh" is what the dashboard asks for every 15 s:
 * overview, top errors, slowest pages and 13 series (two calls, counted here as one read).
 */
public final class ReadLatencyAtFullCaps {

    /** What the dashboard's two charts ask for: the events of each type, then errors, sessions and white screens. */
    static final List<String> THIRTEEN_SERIES = List.of("type:error", "type:unhandledrejection", "type:resource", "type:xhr",
            "type:fetch", "type:performance", "type:whiteScreen", "type:recordScreen", "type:custom", "type:vue", "errors", "sessions",
            "whiteScreens");

    public static void main(String[] args) {
        int repetitions = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        Instant now = Instant.now();
        try (JunkFlood store = new JunkFlood(now)) {
            AttackerFilledBuckets.fill(store.redis, now, 100, 500);
            MetricsReader reader = store.reader;
            System.out.printf("%-14s %-5s %8s %8s %8s %10s %12s%n", "read", "window", "p50 ms", "p99 ms", "max ms", "commands", "bytes back");
            for (String text : List.of("15m", "1h", "24h", "48h", "7d", "30d")) {
                MetricWindow window = MetricWindow.parse(text);
                // The dashboard's step: about 60 points of the window's resolution.
                Duration bucket = window.resolution().length();
                Duration step = bucket.multipliedBy(Math.max(1, window.length().toMillis() / bucket.toMillis() / 60));
                Map<String, Supplier<?>> reads = new LinkedHashMap<>();
                reads.put("overview", () -> reader.overview(APIKEY, window, now));
                reads.put("top-errors", () -> reader.topErrors(APIKEY, window, now, 10));
                reads.put("pages", () -> reader.slowestPages(APIKEY, "LCP", window, now, 10));
                reads.put("performance", () -> reader.pageCosts(APIKEY, window, now, 20));
                reads.put("timeseries", () -> reader.timeSeries(APIKEY, "events", window, step, step.toMinutes() + "m", now));
                reads.put("series (13)", () -> reader.timeSeries(APIKEY, THIRTEEN_SERIES, window, step, step.toMinutes() + "m", now));
                reads.put("refresh", () -> {
                    reads.get("overview").get();
                    reads.get("top-errors").get();
                    reads.get("pages").get();
                    reads.get("series (13)").get();
                    return null;
                });
                reads.forEach((name, read) -> report(store, name, text, read, repetitions));
            }
        }
    }

    /** Times {@code read} {@code repetitions} times after counting what one costs Redis, and prints a row of the table. */
    static void report(JunkFlood store, String name, String window, Supplier<?> read, int repetitions) {
        Cost cost = Cost.of(store.redis, read);
        double[] millis = new double[repetitions];
        for (int i = 0; i < repetitions; i++) {
            long start = System.nanoTime();
            read.get();
            millis[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(millis);
        System.out.printf("%-14s %-5s %8.1f %8.1f %8.1f %,10d %,12d%n", name, window, millis[repetitions / 2],
                millis[(int) Math.ceil(repetitions * 0.99) - 1], millis[repetitions - 1], cost.commands(), cost.bytesSent());
    }
}
