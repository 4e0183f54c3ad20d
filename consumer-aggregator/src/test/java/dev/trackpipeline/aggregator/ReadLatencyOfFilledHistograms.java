package dev.trackpipeline.aggregator;

import static dev.trackpipeline.aggregator.JunkFlood.APIKEY;

import dev.trackpipeline.aggregator.metrics.MetricKeys;
import dev.trackpipeline.aggregator.metrics.MetricKeys.Bucket;
import dev.trackpipeline.aggregator.metrics.MetricKeys.Resolution;
import dev.trackpipeline.aggregator.metrics.VitalsHistogram;
import dev.trackpipeline.aggregator.query.MetricWindow;
import dev.trackpipeline.aggregator.query.MetricsReader;
import dev.trackpipeline.model.event.PerformanceEvents;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import redis.clients.jedis.Response;

/**
 * A measurement, not a test: the metrics reads over web-vital and resource histograms filled on
 * purpose, every fine bucket of every one (and every coarse one) in each minute bucket of the last
 * hour, each hour bucket of the last day and each day bucket of the last 30 days, as anyone holding
 * the public apikey can fill them. Beside each window's overview, "whole" reads the window's vital
 * histograms whole and adds them up, as the reader did before the two passes
 * ({@code WindowPercentiles}): the baseline, in the same run. In this JVM, one read at a time; the
 * argument is the repetitions per read (20). docs/performance.md shows the command and the figures.
 */
public final class ReadLatencyOfFilledHistograms {

    public static void main(String[] args) {
        int repetitions = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        Instant now = Instant.now();
        try (JunkFlood store = new JunkFlood(now)) {
            for (Resolution resolution : Resolution.values()) {
                Duration back = switch (resolution) {
                    case MINUTE -> Duration.ofHours(1);
                    case HOUR -> Duration.ofDays(1);
                    case DAY -> Duration.ofDays(30);
                };
                for (long bucket = resolution.bucketOf(now.minus(back)); bucket <= resolution.bucketOf(now); bucket++) {
                    AttackerFilledBuckets.fillEveryCap(store.redis, APIKEY, resolution, bucket, 0, 0);
                }
            }
            store.redis.hset(MetricKeys.dayBuckets(APIKEY), MetricKeys.FIRST_DAY,
                    String.valueOf(-Resolution.DAY.bucketOf(now.minus(Duration.ofDays(31)))));
            MetricsReader reader = store.reader;
            System.out.printf("%-14s %-5s %8s %8s %8s %10s %12s%n", "read", "window", "p50 ms", "p99 ms", "max ms", "commands", "bytes back");
            for (String text : List.of("15m", "1h", "24h", "7d", "30d")) {
                MetricWindow window = MetricWindow.parse(text);
                Map<String, Supplier<?>> reads = new LinkedHashMap<>();
                reads.put("whole (before)", () -> wholeHistograms(store, window.cover(now, Long.MIN_VALUE)));
                reads.put("overview", () -> reader.overview(APIKEY, window, now));
                reads.put("vitals", () -> reader.vitals(APIKEY, window, now));
                reads.put("performance", () -> reader.pageCosts(APIKEY, window, now, 20));
                reads.forEach((name, read) -> ReadLatencyAtFullCaps.report(store, name, text, read, repetitions));
            }
        }
    }

    /** The window's vital histograms read whole and added up, then their percentiles: what a read did before the two passes. */
    private static Map<String, List<Double>> wholeHistograms(JunkFlood store, List<Bucket> cover) {
        Map<String, List<Double>> percentiles = new HashMap<>();
        for (String metric : PerformanceEvents.VITALS) {
            Map<String, Long> sum = new HashMap<>();
            try (var pipeline = store.redis.pipelined()) {
                for (int from = 0; from < cover.size(); from += 16) {
                    List<Response<Map<String, String>>> replies = new ArrayList<>();
                    for (Bucket bucket : cover.subList(from, Math.min(from + 16, cover.size()))) {
                        replies.add(pipeline.hgetAll(MetricKeys.vitalHistogram(APIKEY, bucket.resolution(), bucket.index(), metric)));
                    }
                    pipeline.sync();
                    replies.forEach(reply -> reply.get().forEach((field, count) -> sum.merge(field, Long.parseLong(count), Long::sum)));
                }
            }
            percentiles.put(metric, List.of(VitalsHistogram.FINE.percentile(sum, 0.5), VitalsHistogram.FINE.percentile(sum, 0.75),
                    VitalsHistogram.FINE.percentile(sum, 0.95)));
        }
        return percentiles;
    }
}
