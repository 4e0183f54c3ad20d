package dev.trackpipeline.aggregator;

import static dev.trackpipeline.aggregator.JunkFlood.APIKEY;

import dev.trackpipeline.aggregator.metrics.EventCounts;
import dev.trackpipeline.aggregator.metrics.MetricKeys;
import dev.trackpipeline.aggregator.metrics.MetricKeys.Resolution;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.JedisPooled;

/**
 * Redis as an attacker who knows the public apikey could leave it, written straight into the keys
 * the aggregator reads: 48 hours of minute buckets whose failing-request sets hold long names, and
 * eight days of hour and day buckets whose pages are at a cap, each page with an LCP histogram.
 */
final class AttackerFilledBuckets {

    private AttackerFilledBuckets() {
    }

    static void fill(JedisPooled redis, Instant now, int requestsPerMinute, int pagesPerBucket) {
        long lastMinute = Resolution.MINUTE.bucketOf(now);
        try (var pipeline = redis.pipelined()) {
            for (long minute = lastMinute - 48 * 60; minute <= lastMinute; minute++) {
                Map<String, Double> requests = new HashMap<>();
                for (int request = 0; request < requestsPerMinute; request++) {
                    requests.put("GET /api/" + "x".repeat(140) + "/" + minute + "/" + request, 1.0);
                }
                pipeline.zadd(MetricKeys.httpFailures(APIKEY, Resolution.MINUTE, minute), requests);
                pipeline.hset(MetricKeys.counters(APIKEY, Resolution.MINUTE, minute), "events", String.valueOf(requestsPerMinute));
            }
            for (Resolution resolution : List.of(Resolution.HOUR, Resolution.DAY)) {
                long last = resolution.bucketOf(now);
                for (long bucket = resolution.bucketOf(now.minus(Duration.ofDays(8))); bucket <= last; bucket++) {
                    Map<String, Double> ranks = new HashMap<>();
                    for (int page = 0; page < pagesPerBucket; page++) {
                        String name = "/page-" + bucket % 7 + "-" + page + "/";
                        ranks.put(name, (double) (page + 1));
                        pipeline.hset(MetricKeys.pageVitalsPrefix(APIKEY, resolution, bucket) + name,
                                Map.of(EventCounts.pageHistogramField("LCP", String.valueOf(page % 60)), "3", "vital:LCP:good", "3"));
                    }
                    pipeline.zadd(MetricKeys.pageRanks(APIKEY, resolution, bucket), ranks);
                    pipeline.hset(MetricKeys.counters(APIKEY, resolution, bucket), Map.of("events", "1000", "type:error", "600",
                            "type:performance", "400"));
                }
            }
            // The day buckets planted are whole: as if day buckets had been counted since the day before.
            pipeline.hset(MetricKeys.dayBuckets(APIKEY), MetricKeys.FIRST_DAY,
                    String.valueOf(-Resolution.DAY.bucketOf(now.minus(Duration.ofDays(9)))));
            pipeline.sync();
        }
    }
}
