package dev.trackpipeline.aggregator;

import static dev.trackpipeline.aggregator.JunkFlood.APIKEY;

import dev.trackpipeline.aggregator.metrics.EventCounts;
import dev.trackpipeline.aggregator.metrics.MetricKeys;
import dev.trackpipeline.aggregator.metrics.MetricKeys.Resolution;
import dev.trackpipeline.aggregator.metrics.VitalsHistogram;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import dev.trackpipeline.model.errors.ErrorFingerprints;
import redis.clients.jedis.JedisPooled;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Redis as an attacker who knows the public apikey could leave it, written straight into the keys
 * the aggregator reads: for the reads ({@link #fill}), 48 hours of minute buckets whose
 * failing-request sets hold long names, and eight days of hour and day buckets whose pages and
 * failing requests are at a cap, each page with an LCP histogram; for memory ({@link #fillEveryCap}), single buckets with
 * every cap full.
 */
final class AttackerFilledBuckets {

    /** The widest a name can be: client text is bounded in characters, and one of the BMP takes 3 bytes in UTF-8. */
    static final String WIDE = "中";
    /**
     * An error's message that gives the largest sample: of the widest characters a title keeps.
     * Controls, which JSON writes as 6-byte escapes, would make twice as large a one, but a title
     * shows each as U+FFFD, 3 bytes (ErrorFingerprints), as wide as this.
     */
    static final String WORST_MESSAGE = WIDE.repeat(300);
    private static final String[] RATINGS = {"good", "needs-improvement", "poor"};

    private AttackerFilledBuckets() {
    }

    /**
     * One bucket as full as the caps let anyone make it, key by key as {@link EventCounts} and the
     * script name them: {@code pages} page hashes and {@code (other)}'s, each with every field its
     * vitals can have ({@link EventCounts#MAX_PAGE_FIELDS}), {@code groups} error groups with samples
     * of the longest titles and {@code groups} failing requests, each name of the most characters
     * allowed and the widest, with their ranks and {@code (other)}, every bucket of the fine scale
     * in each vital's histogram and in resource durations and their coarse buckets, a dense sessions sketch, every counter.
     * Every key has a TTL, as the script gives it (a key with one costs an entry more).
     */
    static void fillEveryCap(JedisPooled redis, String apikey, Resolution resolution, long bucket, int pages, int groups) {
        String count = "1000000000000";
        try (var pipeline = redis.pipelined()) {
            List<String> keys = new java.util.ArrayList<>();
            Map<String, String> counters = new HashMap<>();
            for (String field : List.of("events", "errors", "whiteScreen:blank", "longTask:count", "longTask:totalMs", "memory:samples",
                    "memory:invalid", "status:ok", "status:error", "status:other")) {
                counters.put(field, count);
            }
            new dev.trackpipeline.model.event.EventFamilies().all().forEach(family -> family.types()
                    .forEach(type -> counters.put("type:" + type, count)));
            Map<String, String> pageFields = new HashMap<>();
            Map<String, String> coarse = new HashMap<>();
            for (String metric : dev.trackpipeline.model.event.PerformanceEvents.VITALS) {
                double largest = dev.trackpipeline.model.vitals.VitalThresholds.of(metric).orElseThrow().max();
                VitalsHistogram.FINE.coarseBucketsUpTo(largest).forEach(coarseBucket -> coarse.put(MetricKeys.coarseHistogramField(metric, coarseBucket), count));
                counters.putAll(vitalCounts(metric, count));
                pageFields.putAll(vitalCounts(metric, count));
                VitalsHistogram.forPage(metric).buckets().forEach(histogramBucket ->
                        pageFields.put(EventCounts.pageHistogramField(metric, histogramBucket), count));
                Map<String, String> fine = new HashMap<>();
                VitalsHistogram.FINE.buckets().forEach(histogramBucket -> fine.put(histogramBucket, count));
                keys.add(MetricKeys.vitalHistogram(apikey, resolution, bucket, metric));
                pipeline.hset(keys.get(keys.size() - 1), fine);
            }
            if (pageFields.size() != EventCounts.MAX_PAGE_FIELDS) {
                throw new IllegalStateException("a full page hash has " + EventCounts.MAX_PAGE_FIELDS + " fields, made " + pageFields.size());
            }
            keys.add(MetricKeys.counters(apikey, resolution, bucket));
            pipeline.hset(keys.get(keys.size() - 1), counters);
            Map<String, String> durations = new HashMap<>();
            VitalsHistogram.FINE.buckets().forEach(histogramBucket -> durations.put(histogramBucket, count));
            keys.add(MetricKeys.resourceDurations(apikey, resolution, bucket));
            pipeline.hset(keys.get(keys.size() - 1), durations);
            VitalsHistogram.FINE.coarseBuckets().forEach(coarseBucket ->
                    coarse.put(MetricKeys.coarseHistogramField(MetricKeys.RESOURCES, coarseBucket), count));
            if (coarse.size() > MetricKeys.COARSE_HISTOGRAM_FIELDS) {
                throw new IllegalStateException("the coarse histograms hash has at most " + MetricKeys.COARSE_HISTOGRAM_FIELDS
                        + " fields, made " + coarse.size());
            }
            keys.add(MetricKeys.coarseHistograms(apikey, resolution, bucket));
            pipeline.hset(keys.get(keys.size() - 1), coarse);
            keys.add(MetricKeys.memory(apikey, resolution, bucket));
            pipeline.hset(keys.get(keys.size() - 1), Map.of(MetricKeys.MAX_USED_HEAP, "68719476736",
                    MetricKeys.LAST_USED_HEAP, "1795642100000 68719476736"));
            keys.add(MetricKeys.sessions(apikey, resolution, bucket));
            for (int first = 0; first < 20_000; first += 1_000) {
                String[] sessions = new String[1_000];
                for (int session = 0; session < sessions.length; session++) {
                    sessions[session] = "session-" + bucket + "-" + (first + session);
                }
                pipeline.pfadd(keys.get(keys.size() - 1), sessions);
            }

            Map<String, Double> pageRanks = new HashMap<>();
            for (int page = 0; page <= pages; page++) {
                String name = page == pages ? MetricKeys.OTHER : widest("/" + page + "/");
                if (page < pages) {
                    pageRanks.put(name, 1e12);
                }
                keys.add(MetricKeys.pageVitalsPrefix(apikey, resolution, bucket) + name);
                pipeline.hset(keys.get(keys.size() - 1), pageFields);
            }
            keys.add(MetricKeys.pageRanks(apikey, resolution, bucket));
            pipeline.zadd(keys.get(keys.size() - 1), pageRanks);

            Map<String, Double> errorGroups = new HashMap<>();
            Map<String, Double> requests = new HashMap<>();
            Map<String, String> samples = new HashMap<>();
            String sample = errorSample(WORST_MESSAGE);
            for (int group = 0; group < groups; group++) {
                String fingerprint = String.format("%032x", (long) group * 7919 + bucket);
                errorGroups.put(fingerprint, 1e12);
                samples.put(fingerprint, sample);
                requests.put(widest("GET /" + group + "/"), 1e12);
            }
            keys.add(MetricKeys.errorGroupRanks(apikey, resolution, bucket));
            pipeline.zadd(keys.get(keys.size() - 1), errorGroups);
            keys.add(MetricKeys.httpFailureRanks(apikey, resolution, bucket));
            pipeline.zadd(keys.get(keys.size() - 1), requests);
            errorGroups.put(MetricKeys.OTHER, 1e12);
            requests.put(MetricKeys.OTHER, 1e12);
            keys.add(MetricKeys.errorGroups(apikey, resolution, bucket));
            pipeline.zadd(keys.get(keys.size() - 1), errorGroups);
            keys.add(MetricKeys.httpFailures(apikey, resolution, bucket));
            pipeline.zadd(keys.get(keys.size() - 1), requests);
            keys.add(MetricKeys.errorSamples(apikey, resolution, bucket));
            pipeline.hset(keys.get(keys.size() - 1), samples);
            keys.forEach(key -> pipeline.expire(key, 86_400));
            pipeline.sync();
        }
    }

    /**
     * The sample EventCounts stores for an unhandled rejection with this message (the longest type),
     * its event id twice as long as any (ids are 32 hex digits).
     */
    static String errorSample(String message) {
        JsonMapper json = JsonMapper.builder().build();
        ObjectNode event = json.createObjectNode().put("message", message);
        String title = ErrorFingerprints.of("unhandledrejection", event).orElseThrow().title();
        return json.writeValueAsString(new EventCounts.ErrorSample(title, "unhandledrejection", "e".repeat(64)));
    }

    /** A name of {@link BoundedText#MAX_LENGTH} characters, as wide as they come, beginning with {@code start}. */
    private static String widest(String start) {
        return start + WIDE.repeat(dev.trackpipeline.aggregator.metrics.BoundedText.MAX_LENGTH - start.length());
    }

    private static Map<String, String> vitalCounts(String metric, String count) {
        Map<String, String> counts = new HashMap<>();
        counts.put("vital:" + metric + ":invalid", count);
        for (String rating : RATINGS) {
            counts.put("vital:" + metric + ":" + rating, count);
            counts.put("vital:" + metric + ":sdk:" + rating, count);
        }
        return counts;
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
                    Map<String, Double> requests = new HashMap<>();
                    for (int request = 0; request < JunkFlood.PROPERTIES.maxGroupsPerBucket(); request++) {
                        requests.put("GET /api/" + "x".repeat(140) + "/" + resolution + bucket + "/" + request, 1.0);
                    }
                    pipeline.zadd(MetricKeys.httpFailures(APIKEY, resolution, bucket), requests);
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
