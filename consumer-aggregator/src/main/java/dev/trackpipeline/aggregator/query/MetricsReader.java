package dev.trackpipeline.aggregator.query;

import dev.trackpipeline.aggregator.metrics.EventCounts.ErrorSample;
import dev.trackpipeline.aggregator.metrics.EventCounts;
import dev.trackpipeline.aggregator.metrics.MetricKeys;
import dev.trackpipeline.aggregator.metrics.VitalsHistogram;
import dev.trackpipeline.model.event.PerformanceEvents;
import dev.trackpipeline.model.vitals.VitalThresholds;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.springframework.stereotype.Component;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.Response;
import redis.clients.jedis.resps.Tuple;
import tools.jackson.databind.json.JsonMapper;

/** Reads a window's buckets in pipelines and adds them up. */
@Component
public class MetricsReader {

    /** The vitals in the order dashboards show them. */
    static final List<String> VITALS = List.of("LCP", "INP", "CLS", "FCP", "TTFB", "FID", "FSP");

    /** What a top-error list shows of the groups a bucket had no room to name. */
    private static final ErrorSample OTHER_GROUPS = new ErrorSample("Other error groups (beyond those a bucket names apart)", "", "");

    private final JedisPooled redis;
    private final JsonMapper json = JsonMapper.builder().build();

    public MetricsReader(JedisPooled redis) {
        this.redis = redis;
    }

    public Overview overview(String apikey, MetricWindow window, Instant now) {
        List<Long> buckets = window.buckets(now);
        Map<String, Long> totals = sumHashes(buckets, bucket -> MetricKeys.counters(apikey, window.resolution(), bucket));
        long sessions = redis.pfcount(buckets.stream()
                .map(bucket -> MetricKeys.sessions(apikey, window.resolution(), bucket)).toArray(String[]::new));
        long events = totals.getOrDefault("events", 0L);
        long errors = totals.getOrDefault("errors", 0L);
        long checks = totals.getOrDefault("type:whiteScreen", 0L);
        long blank = totals.getOrDefault("whiteScreen:blank", 0L);
        Map<String, Overview.VitalP75> vitals = new LinkedHashMap<>();
        vitals(apikey, window, now, totals).forEach((metric, summary) ->
                vitals.put(metric, new Overview.VitalP75(summary.p75(), summary.rating(), summary.samples())));
        return new Overview(apikey, window.text(), windowStart(window, buckets), windowEnd(window, buckets), events,
                prefixed(totals, "type:"), prefixed(totals, "status:"), errors, ratio(errors, events), sessions, checks, blank,
                ratio(blank, checks), vitals);
    }

    public Map<String, VitalSummary> vitals(String apikey, MetricWindow window, Instant now) {
        List<Long> buckets = window.buckets(now);
        return vitals(apikey, window, now, sumHashes(buckets, bucket -> MetricKeys.counters(apikey, window.resolution(), bucket)));
    }

    /**
     * One page's vitals: read from the page's own hashes, where the histogram buckets
     * ({@link EventCounts#pageHistogramField}) are fields beside the rating counts. Percentiles are
     * on the coarse {@link VitalsHistogram#forPage page scale}, within 11.1 % (the project's within
     * 1 %). A bucket written before that scale holds its histograms in fields of another name,
     * which are not read: its pages show no percentiles until it ages out.
     */
    public Map<String, VitalSummary> pageVitals(String apikey, String page, MetricWindow window, Instant now) {
        Map<String, Long> totals = sumHashes(window.buckets(now),
                bucket -> MetricKeys.pageVitalsPrefix(apikey, window.resolution(), bucket) + page);
        return summarise(totals, metric -> prefixed(totals, EventCounts.pageHistogramField(metric, "")), VitalsHistogram::forPage);
    }

    /**
     * The pages with the highest p75 of one vital, slowest first (ties by page). Each bucket names
     * its own pages: reads their ranks, then each bucket's hashes of its pages and of
     * {@code (other)}, so the page cap bounds the cost per bucket. A page's hash holds its vitals
     * since its bucket (last) named it, the rest are in {@code (other)}'s. The p75s are on the
     * coarse scale ({@link #pageVitals}), so pages whose p75s differ by less than that may tie.
     */
    public List<PageVital> slowestPages(String apikey, String vital, MetricWindow window, Instant now, int limit) {
        List<Long> buckets = window.buckets(now);
        List<Response<List<String>>> pageRanks = new ArrayList<>();
        try (var pipeline = redis.pipelined()) {
            buckets.forEach(bucket -> pageRanks.add(pipeline.zrange(MetricKeys.pageRanks(apikey, window.resolution(), bucket), 0, -1)));
            pipeline.sync();
        }
        Map<String, List<Response<Map<String, String>>>> responses = new LinkedHashMap<>();
        try (var pipeline = redis.pipelined()) {
            for (int index = 0; index < buckets.size(); index++) {
                String prefix = MetricKeys.pageVitalsPrefix(apikey, window.resolution(), buckets.get(index));
                Set<String> pages = new LinkedHashSet<>(pageRanks.get(index).get());
                pages.add(MetricKeys.OTHER);
                pages.forEach(page -> responses.computeIfAbsent(page, first -> new ArrayList<>()).add(pipeline.hgetAll(prefix + page)));
            }
            pipeline.sync();
        }
        String histogramPrefix = EventCounts.pageHistogramField(vital, "");
        var thresholds = VitalThresholds.of(vital).orElseThrow();
        List<PageVital> ranked = new ArrayList<>();
        responses.forEach((page, pageBuckets) -> {
            Map<String, Long> histogram = prefixed(addUp(pageBuckets), histogramPrefix);
            long samples = histogram.values().stream().mapToLong(Long::longValue).sum();
            if (samples > 0) {
                double p75 = VitalsHistogram.forPage(vital).percentile(histogram, 0.75);
                ranked.add(new PageVital(page, samples, p75, thresholds.rate(p75).label()));
            }
        });
        return ranked.stream()
                .sorted(Comparator.comparingDouble(PageVital::p75).reversed().thenComparing(PageVital::page))
                .limit(limit).toList();
    }

    private Map<String, VitalSummary> vitals(String apikey, MetricWindow window, Instant now, Map<String, Long> totals) {
        List<Long> buckets = window.buckets(now);
        return summarise(totals, metric -> sumHashes(buckets, bucket -> MetricKeys.vitalHistogram(apikey, window.resolution(), bucket, metric)),
                metric -> VitalsHistogram.FINE);
    }

    private static Map<String, VitalSummary> summarise(Map<String, Long> totals, Function<String, Map<String, Long>> histogramOf,
                                                       Function<String, VitalsHistogram> scaleOf) {
        Map<String, VitalSummary> vitals = new LinkedHashMap<>();
        for (String metric : VITALS) {
            Map<String, Long> histogram = histogramOf.apply(metric);
            long samples = histogram.values().stream().mapToLong(Long::longValue).sum();
            long invalid = totals.getOrDefault("vital:" + metric + ":invalid", 0L);
            if (samples == 0 && invalid == 0) {
                continue;
            }
            VitalsHistogram scale = scaleOf.apply(metric);
            Double p75 = percentile(scale, histogram, samples, 0.75);
            String rating = p75 == null ? null : VitalThresholds.of(metric).orElseThrow().rate(p75).label();
            vitals.put(metric, new VitalSummary(samples, percentile(scale, histogram, samples, 0.50), p75,
                    percentile(scale, histogram, samples, 0.95), rating,
                    ratings(totals, "vital:" + metric + ":"), ratings(totals, "vital:" + metric + ":sdk:"), invalid));
        }
        return vitals;
    }

    public PageCosts pageCosts(String apikey, MetricWindow window, Instant now, int limit) {
        List<Long> buckets = window.buckets(now);
        Map<String, Long> totals = sumHashes(buckets, bucket -> MetricKeys.counters(apikey, window.resolution(), bucket));
        Map<String, Long> durations = sumHashes(buckets, bucket -> MetricKeys.resourceDurations(apikey, window.resolution(), bucket));
        long samples = durations.values().stream().mapToLong(Long::longValue).sum();
        List<PageCosts.RequestCount> failures = sumSortedSets(buckets,
                bucket -> MetricKeys.httpFailures(apikey, window.resolution(), bucket)).stream().limit(limit)
                .map(entry -> new PageCosts.RequestCount(entry.getKey(), entry.getValue())).toList();
        return new PageCosts(new PageCosts.LongTasks(totals.getOrDefault("longTask:count", 0L), totals.getOrDefault("longTask:totalMs", 0L)),
                new PageCosts.Durations(samples, percentile(VitalsHistogram.FINE, durations, samples, 0.50),
                        percentile(VitalsHistogram.FINE, durations, samples, 0.75),
                        percentile(VitalsHistogram.FINE, durations, samples, 0.95)), failures, memory(apikey, window, buckets, totals));
    }

    /** The largest used heap of any bucket, and the latest sample of all. */
    private PageCosts.Memory memory(String apikey, MetricWindow window, List<Long> buckets, Map<String, Long> totals) {
        Long max = null;
        long lastAt = -1;
        Long last = null;
        try (var pipeline = redis.pipelined()) {
            List<Response<List<String>>> responses = new ArrayList<>();
            buckets.forEach(bucket -> responses.add(pipeline.hmget(MetricKeys.memory(apikey, window.resolution(), bucket),
                    MetricKeys.MAX_USED_HEAP, MetricKeys.LAST_USED_HEAP)));
            pipeline.sync();
            for (Response<List<String>> response : responses) {
                String bucketMax = response.get().get(0);
                String bucketLast = response.get().get(1);
                if (bucketMax != null && (max == null || Long.parseLong(bucketMax) > max)) {
                    max = Long.parseLong(bucketMax);
                }
                if (bucketLast != null) {
                    String[] timeAndBytes = bucketLast.split(" ");
                    if (Long.parseLong(timeAndBytes[0]) > lastAt) {
                        lastAt = Long.parseLong(timeAndBytes[0]);
                        last = Long.parseLong(timeAndBytes[1]);
                    }
                }
            }
        }
        return new PageCosts.Memory(totals.getOrDefault("memory:samples", 0L), last, max, totals.getOrDefault("memory:invalid", 0L));
    }

    /**
     * The largest error groups of the window, each with the sample of the newest bucket that has
     * one. The groups beyond a bucket's cap are added up as {@code (other)}, which has no sample.
     */
    public List<TopError> topErrors(String apikey, MetricWindow window, Instant now, int limit) {
        List<Long> buckets = window.buckets(now);
        List<Map.Entry<String, Long>> top = sumSortedSets(buckets,
                bucket -> MetricKeys.errorGroups(apikey, window.resolution(), bucket)).stream().limit(limit).toList();
        if (top.isEmpty()) {
            return List.of();
        }
        String[] fingerprints = top.stream().map(Map.Entry::getKey).toArray(String[]::new);
        List<Response<List<String>>> newestFirst = new ArrayList<>();
        try (var pipeline = redis.pipelined()) {
            for (int index = buckets.size() - 1; index >= 0; index--) {
                newestFirst.add(pipeline.hmget(MetricKeys.errorSamples(apikey, window.resolution(), buckets.get(index)), fingerprints));
            }
            pipeline.sync();
        }
        List<TopError> errors = new ArrayList<>();
        for (int i = 0; i < top.size(); i++) {
            int field = i;
            ErrorSample sample = top.get(i).getKey().equals(MetricKeys.OTHER) ? OTHER_GROUPS
                    : newestFirst.stream().map(samples -> samples.get().get(field)).filter(java.util.Objects::nonNull).findFirst()
                            .map(found -> json.readValue(found, ErrorSample.class)).orElse(new ErrorSample("", "", ""));
            errors.add(new TopError(top.get(i).getKey(), top.get(i).getValue(), sample.title(), sample.type(), sample.sampleEventId()));
        }
        return errors;
    }

    /**
     * A counter ({@code events}, {@code errors}, {@code whiteScreens}, {@code type:<type>},
     * {@code status:<status>}) or {@code sessions} per step.
     */
    public TimeSeries timeSeries(String apikey, String metric, MetricWindow window, Duration step, String stepText, Instant now) {
        List<Long> buckets = window.buckets(now);
        long bucketsPerStep = step.toMillis() / window.resolution().length().toMillis();
        Map<Long, List<Long>> steps = new TreeMap<>();
        buckets.forEach(bucket -> steps.computeIfAbsent(Math.floorDiv(bucket, bucketsPerStep), key -> new ArrayList<>()).add(bucket));
        List<TimeSeries.Point> points = new ArrayList<>();
        try (var pipeline = redis.pipelined()) {
            Map<Long, Response<Long>> sessions = new LinkedHashMap<>();
            Map<Long, List<Response<String>>> counters = new LinkedHashMap<>();
            steps.forEach((stepIndex, stepBuckets) -> {
                if (metric.equals("sessions")) {
                    sessions.put(stepIndex, pipeline.pfcount(stepBuckets.stream()
                            .map(bucket -> MetricKeys.sessions(apikey, window.resolution(), bucket)).toArray(String[]::new)));
                } else {
                    String field = metric.equals("whiteScreens") ? "whiteScreen:blank" : metric;
                    counters.put(stepIndex, stepBuckets.stream()
                            .map(bucket -> pipeline.hget(MetricKeys.counters(apikey, window.resolution(), bucket), field)).toList());
                }
            });
            pipeline.sync();
            long stepMillis = step.toMillis();
            sessions.forEach((stepIndex, count) -> points.add(new TimeSeries.Point(stepIndex * stepMillis, count.get())));
            counters.forEach((stepIndex, values) -> points.add(new TimeSeries.Point(stepIndex * stepMillis,
                    values.stream().map(Response::get).filter(java.util.Objects::nonNull).mapToLong(Long::parseLong).sum())));
        }
        return new TimeSeries(apikey, metric, window.text(), stepText, points);
    }

    /** Adds up sorted sets over the buckets; largest first, ties by member. */
    private List<Map.Entry<String, Long>> sumSortedSets(List<Long> buckets, Function<Long, String> keyOf) {
        Map<String, Long> counts = new HashMap<>();
        try (var pipeline = redis.pipelined()) {
            List<Response<List<Tuple>>> responses = new ArrayList<>();
            buckets.forEach(bucket -> responses.add(pipeline.zrangeWithScores(keyOf.apply(bucket), 0, -1)));
            pipeline.sync();
            responses.forEach(response -> response.get().forEach(tuple ->
                    counts.merge(tuple.getElement(), (long) tuple.getScore(), Long::sum)));
        }
        return counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
                .toList();
    }

    private Map<String, Long> sumHashes(List<Long> buckets, Function<Long, String> keyOf) {
        List<Response<Map<String, String>>> responses = new ArrayList<>();
        try (var pipeline = redis.pipelined()) {
            buckets.forEach(bucket -> responses.add(pipeline.hgetAll(keyOf.apply(bucket))));
            pipeline.sync();
        }
        return addUp(responses);
    }

    /** Adds up the counter hashes of several buckets, field by field. */
    private static Map<String, Long> addUp(List<Response<Map<String, String>>> hashes) {
        Map<String, Long> totals = new TreeMap<>();
        hashes.forEach(response -> response.get().forEach((field, value) -> totals.merge(field, Long.parseLong(value), Long::sum)));
        return totals;
    }

    private static Double percentile(VitalsHistogram scale, Map<String, Long> histogram, long samples, double p) {
        return samples == 0 ? null : scale.percentile(histogram, p);
    }

    private static Map<String, Long> ratings(Map<String, Long> totals, String prefix) {
        Map<String, Long> ratings = new LinkedHashMap<>();
        for (String rating : List.of("good", "needs-improvement", "poor")) {
            ratings.put(rating, totals.getOrDefault(prefix + rating, 0L));
        }
        return ratings;
    }

    private static long windowStart(MetricWindow window, List<Long> buckets) {
        return buckets.get(0) * window.resolution().length().toMillis();
    }

    private static long windowEnd(MetricWindow window, List<Long> buckets) {
        return (buckets.get(buckets.size() - 1) + 1) * window.resolution().length().toMillis();
    }

    private static Map<String, Long> prefixed(Map<String, Long> totals, String prefix) {
        Map<String, Long> selected = new TreeMap<>();
        totals.forEach((field, value) -> {
            if (field.startsWith(prefix)) {
                selected.put(field.substring(prefix.length()), value);
            }
        });
        return selected;
    }

    private static double ratio(long part, long whole) {
        return whole == 0 ? 0.0 : (double) part / whole;
    }
}
