package dev.trackpipeline.aggregator.query;

import dev.trackpipeline.aggregator.AggregatorProperties;
import dev.trackpipeline.aggregator.metrics.EventCounts.ErrorSample;
import dev.trackpipeline.aggregator.metrics.EventCounts;
import dev.trackpipeline.aggregator.metrics.MetricKeys;
import dev.trackpipeline.aggregator.metrics.MetricKeys.Bucket;
import dev.trackpipeline.aggregator.metrics.MetricKeys.Resolution;
import dev.trackpipeline.aggregator.metrics.RedisScripts;
import dev.trackpipeline.aggregator.metrics.VitalsHistogram;
import dev.trackpipeline.model.vitals.VitalThresholds;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;
import org.springframework.stereotype.Component;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a window's buckets and adds them up, at a cost bounded by construction: a window is read
 * from the coarsest buckets that fit in it ({@link MetricWindow#cover}, at most 60 + 23 + 31
 * buckets), replies are added up a few buckets at a time rather than held whole, the largest
 * members of sorted sets are added up in Redis and only the top ones carried here, and the
 * slowest pages are looked for among a window's busiest. A read holds one connection of its own
 * ({@link ReadConnections}) from start to end, never the counting's, and writes nothing.
 */
@Component
public class MetricsReader {

    /** The vitals in the order dashboards show them. */
    static final List<String> VITALS = List.of("LCP", "INP", "CLS", "FCP", "TTFB", "FID", "FSP");

    /**
     * How many buckets one pipeline reads before its replies are added up: a window's replies are
     * never all held at once (a bucket's histogram hash may have over a thousand fields).
     */
    static final int BUCKETS_PER_PIPELINE = 16;

    /** The web-vitals ratings, which every version counts once for each value in a vital's histogram. */
    private static final List<String> RATINGS = List.of("good", "needs-improvement", "poor");

    /** What a top-error list shows of the groups a bucket had no room to name. */
    private static final ErrorSample OTHER_GROUPS = new ErrorSample("Other error groups (beyond those a bucket names apart)", "", "");

    private final ReadConnections redis;
    private final WindowPercentiles windowPercentiles = new WindowPercentiles();
    private final int slowestPageCandidates;
    private final JsonMapper json = JsonMapper.builder().build();
    private final String largestMembersScript = RedisScripts.load("/redis/largest-members.lua");

    public MetricsReader(ReadConnections redis, AggregatorProperties properties) {
        this.redis = redis;
        this.slowestPageCandidates = properties.reads().slowestPageCandidates();
    }

    public Overview overview(String apikey, MetricWindow window, Instant now) {
        return redis.read(apikey, pipeline -> overview(pipeline, apikey, window, now));
    }

    private Overview overview(AbstractPipeline pipeline, String apikey, MetricWindow window, Instant now) {
        List<Bucket> cover = cover(pipeline, apikey, window, now);
        Map<String, Long> totals = sumHashes(pipeline, cover, bucket -> MetricKeys.counters(apikey, bucket.resolution(), bucket.index()));
        long sessions = sessions(pipeline, apikey, cover);
        long events = totals.getOrDefault("events", 0L);
        long errors = totals.getOrDefault("errors", 0L);
        long checks = totals.getOrDefault("type:whiteScreen", 0L);
        long blank = totals.getOrDefault("whiteScreen:blank", 0L);
        Map<String, Overview.VitalP75> vitals = new LinkedHashMap<>();
        vitals(pipeline, apikey, cover, totals).forEach((metric, summary) ->
                vitals.put(metric, new Overview.VitalP75(summary.p75(), summary.rating(), summary.samples())));
        return new Overview(apikey, window.text(), window.startMillis(now), window.endMillis(now), events,
                prefixed(totals, "type:"), prefixed(totals, "status:"), errors, ratio(errors, events), sessions, checks, blank,
                ratio(blank, checks), vitals);
    }

    public Map<String, VitalSummary> vitals(String apikey, MetricWindow window, Instant now) {
        return redis.read(apikey, pipeline -> vitals(pipeline, apikey, window, now));
    }

    private Map<String, VitalSummary> vitals(AbstractPipeline pipeline, String apikey, MetricWindow window, Instant now) {
        List<Bucket> cover = cover(pipeline, apikey, window, now);
        return vitals(pipeline, apikey, cover, sumHashes(pipeline, cover, bucket -> MetricKeys.counters(apikey, bucket.resolution(), bucket.index())));
    }

    /**
     * One page's vitals: read from the page's own hashes, where the histogram buckets
     * ({@link EventCounts#pageHistogramField}) are fields beside the rating counts. Percentiles are
     * on the coarse {@link VitalsHistogram#forPage page scale}, within 11.1 % (the project's within
     * 1 %). A bucket written before that scale holds its histograms in fields of another name,
     * which are not read: its pages show no percentiles until it ages out.
     */
    public Map<String, VitalSummary> pageVitals(String apikey, String page, MetricWindow window, Instant now) {
        return redis.read(apikey, pipeline -> pageVitals(pipeline, apikey, page, window, now));
    }

    private Map<String, VitalSummary> pageVitals(AbstractPipeline pipeline, String apikey, String page, MetricWindow window, Instant now) {
        Map<String, Long> totals = sumHashes(pipeline, cover(pipeline, apikey, window, now),
                bucket -> MetricKeys.pageVitalsPrefix(apikey, bucket.resolution(), bucket.index()) + page);
        return summarise(totals, metric -> percentiles(VitalsHistogram.forPage(metric), prefixed(totals, EventCounts.pageHistogramField(metric, ""))));
    }

    /**
     * The pages with the highest p75 of one vital, slowest first (ties by page), among the
     * window's busiest: the {@code slowestPageCandidates} pages its buckets rank highest (by the
     * vitals counted for them, added up in Redis) and {@code (other)}. Each bucket is asked which
     * candidates it names (one ZMSCORE), then for the vital's histogram fields of those only, so
     * the cost is at most buckets × (1 + named candidates) whatever the page caps: looking at every
     * page of every bucket, one call over 48 hours sent up to 1.44 million commands and ran the
     * aggregator out of memory. A page's hash holds its vitals since its bucket (last) named it,
     * the rest are in {@code (other)}'s. The p75s are on the coarse scale ({@link #pageVitals}), so
     * pages whose p75s differ by less than that may tie.
     */
    public List<PageVital> slowestPages(String apikey, String vital, MetricWindow window, Instant now, int limit) {
        return redis.read(apikey, pipeline -> slowestPages(pipeline, apikey, vital, window, now, limit));
    }

    private List<PageVital> slowestPages(AbstractPipeline pipeline, String apikey, String vital, MetricWindow window, Instant now, int limit) {
        List<Bucket> cover = cover(pipeline, apikey, window, now);
        String[] candidates = largestMembers(pipeline, apikey, keys(cover, bucket -> MetricKeys.pageRanks(apikey, bucket.resolution(), bucket.index())),
                slowestPageCandidates).stream().map(Map.Entry::getKey).toArray(String[]::new);
        List<String> histogramBuckets = VitalsHistogram.forPage(vital).buckets();
        String[] fields = histogramBuckets.stream().map(bucket -> EventCounts.pageHistogramField(vital, bucket)).toArray(String[]::new);
        Map<String, Map<String, Long>> histograms = new LinkedHashMap<>();
        for (List<Bucket> some : chunks(cover)) {
            List<List<String>> named = namedIn(pipeline, apikey, some, candidates);
            Map<String, List<Response<List<String>>>> responses = new LinkedHashMap<>();
            {
                for (int index = 0; index < some.size(); index++) {
                    String prefix = MetricKeys.pageVitalsPrefix(apikey, some.get(index).resolution(), some.get(index).index());
                    named.get(index).forEach(page -> responses.computeIfAbsent(page, first -> new ArrayList<>())
                            .add(pipeline.hmget(prefix + page, fields)));
                }
                pipeline.sync();
            }
            responses.forEach((page, replies) -> replies.forEach(reply -> {
                List<String> counts = reply.get();
                for (int field = 0; field < counts.size(); field++) {
                    if (counts.get(field) != null) {
                        histograms.computeIfAbsent(page, first -> new HashMap<>())
                                .merge(histogramBuckets.get(field), Long.parseLong(counts.get(field)), Long::sum);
                    }
                }
            }));
        }
        var thresholds = VitalThresholds.of(vital).orElseThrow();
        List<PageVital> ranked = new ArrayList<>();
        histograms.forEach((page, histogram) -> {
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

    /** Per bucket, the candidates it names (has a hash of vitals for), and {@code (other)}, which every bucket may have. */
    private List<List<String>> namedIn(AbstractPipeline pipeline, String apikey, List<Bucket> buckets, String[] candidates) {
        List<Response<List<Double>>> ranks = new ArrayList<>();
        if (candidates.length > 0) {
            {
                buckets.forEach(bucket -> ranks.add(pipeline.zmscore(MetricKeys.pageRanks(apikey, bucket.resolution(), bucket.index()),
                        candidates)));
                pipeline.sync();
            }
        }
        List<List<String>> named = new ArrayList<>();
        for (int index = 0; index < buckets.size(); index++) {
            List<String> pages = new ArrayList<>();
            if (candidates.length > 0) {
                List<Double> scores = ranks.get(index).get();
                for (int candidate = 0; candidate < candidates.length; candidate++) {
                    if (scores.get(candidate) != null) {
                        pages.add(candidates[candidate]);
                    }
                }
            }
            pages.add(MetricKeys.OTHER);
            named.add(pages);
        }
        return named;
    }

    /** The project's vitals, their percentiles read in two passes ({@link WindowPercentiles}). */
    private Map<String, VitalSummary> vitals(AbstractPipeline pipeline, String apikey, List<Bucket> cover, Map<String, Long> totals) {
        List<WindowPercentiles.Family> families = VITALS.stream().map(metric -> new WindowPercentiles.Family(metric,
                bucket -> MetricKeys.vitalHistogram(apikey, bucket.resolution(), bucket.index(), metric),
                RATINGS.stream().map(rating -> "vital:" + metric + ":" + rating).toList())).toList();
        Map<String, WindowPercentiles.Percentiles> percentiles = windowPercentiles.read(pipeline, apikey, cover, families);
        return summarise(totals, percentiles::get);
    }

    private static Map<String, VitalSummary> summarise(Map<String, Long> totals, Function<String, WindowPercentiles.Percentiles> percentilesOf) {
        Map<String, VitalSummary> vitals = new LinkedHashMap<>();
        for (String metric : VITALS) {
            WindowPercentiles.Percentiles percentiles = percentilesOf.apply(metric);
            long invalid = totals.getOrDefault("vital:" + metric + ":invalid", 0L);
            if (percentiles.samples() == 0 && invalid == 0) {
                continue;
            }
            String rating = percentiles.p75() == null ? null : VitalThresholds.of(metric).orElseThrow().rate(percentiles.p75()).label();
            vitals.put(metric, new VitalSummary(percentiles.samples(), percentiles.p50(), percentiles.p75(), percentiles.p95(), rating,
                    ratings(totals, "vital:" + metric + ":"), ratings(totals, "vital:" + metric + ":sdk:"), invalid));
        }
        return vitals;
    }

    public PageCosts pageCosts(String apikey, MetricWindow window, Instant now, int limit) {
        return redis.read(apikey, pipeline -> pageCosts(pipeline, apikey, window, now, limit));
    }

    private PageCosts pageCosts(AbstractPipeline pipeline, String apikey, MetricWindow window, Instant now, int limit) {
        List<Bucket> cover = cover(pipeline, apikey, window, now);
        Map<String, Long> totals = sumHashes(pipeline, cover, bucket -> MetricKeys.counters(apikey, bucket.resolution(), bucket.index()));
        WindowPercentiles.Percentiles durations = windowPercentiles.read(pipeline, apikey, cover, List.of(new WindowPercentiles.Family(
                MetricKeys.RESOURCES, bucket -> MetricKeys.resourceDurations(apikey, bucket.resolution(), bucket.index()), List.of())))
                .get(MetricKeys.RESOURCES);
        List<PageCosts.RequestCount> failures = largestMembers(pipeline, apikey,
                keys(cover, bucket -> MetricKeys.httpFailures(apikey, bucket.resolution(), bucket.index())), limit).stream()
                .map(entry -> new PageCosts.RequestCount(entry.getKey(), entry.getValue())).toList();
        return new PageCosts(new PageCosts.LongTasks(totals.getOrDefault("longTask:count", 0L), totals.getOrDefault("longTask:totalMs", 0L)),
                new PageCosts.Durations(durations.samples(), durations.p50(), durations.p75(), durations.p95()), failures,
                memory(pipeline, apikey, cover, totals));
    }

    /** The largest used heap of any bucket, and the latest sample of all. */
    private PageCosts.Memory memory(AbstractPipeline pipeline, String apikey, List<Bucket> cover, Map<String, Long> totals) {
        Long max = null;
        long lastAt = -1;
        Long last = null;
        for (List<Bucket> some : chunks(cover)) {
            List<Response<List<String>>> responses = new ArrayList<>();
            {
                some.forEach(bucket -> responses.add(pipeline.hmget(MetricKeys.memory(apikey, bucket.resolution(), bucket.index()),
                        MetricKeys.MAX_USED_HEAP, MetricKeys.LAST_USED_HEAP)));
                pipeline.sync();
            }
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
        return redis.read(apikey, pipeline -> topErrors(pipeline, apikey, window, now, limit));
    }

    private List<TopError> topErrors(AbstractPipeline pipeline, String apikey, MetricWindow window, Instant now, int limit) {
        List<Bucket> cover = cover(pipeline, apikey, window, now);
        List<Map.Entry<String, Long>> top = largestMembers(pipeline, apikey,
                keys(cover, bucket -> MetricKeys.errorGroups(apikey, bucket.resolution(), bucket.index())), limit);
        if (top.isEmpty()) {
            return List.of();
        }
        String[] fingerprints = top.stream().map(Map.Entry::getKey).toArray(String[]::new);
        String[] samples = new String[fingerprints.length];
        for (int i = 0; i < fingerprints.length; i++) {
            if (fingerprints[i].equals(MetricKeys.OTHER)) {
                samples[i] = ""; // never has a sample: waiting for one would read every bucket's
            }
        }
        List<Bucket> newestFirst = new ArrayList<>(cover);
        Collections.reverse(newestFirst);
        for (List<Bucket> some : chunks(newestFirst)) {
            List<Response<List<String>>> responses = new ArrayList<>();
            {
                some.forEach(bucket -> responses.add(pipeline.hmget(MetricKeys.errorSamples(apikey, bucket.resolution(), bucket.index()),
                        fingerprints)));
                pipeline.sync();
            }
            responses.forEach(response -> {
                for (int field = 0; field < samples.length; field++) {
                    if (samples[field] == null) {
                        samples[field] = response.get().get(field);
                    }
                }
            });
            if (Arrays.stream(samples).allMatch(Objects::nonNull)) {
                break;
            }
        }
        List<TopError> errors = new ArrayList<>();
        for (int i = 0; i < top.size(); i++) {
            ErrorSample sample = top.get(i).getKey().equals(MetricKeys.OTHER) ? OTHER_GROUPS
                    : samples[i] == null ? new ErrorSample("", "", "") : json.readValue(samples[i], ErrorSample.class);
            errors.add(new TopError(top.get(i).getKey(), top.get(i).getValue(), sample.title(), sample.type(), sample.sampleEventId()));
        }
        return errors;
    }

    /**
     * A counter ({@code events}, {@code errors}, {@code whiteScreens}, {@code type:<type>},
     * {@code status:<status>}) or {@code sessions} per step. Steps start at whole multiples of the
     * step since the epoch; the first is the one the window's start falls in, and counts from the
     * window's start only, so when the window does not start on a step its first point is partial.
     * Each step is read from the coarsest buckets that fit in it, as a window is.
     */
    public TimeSeries timeSeries(String apikey, String metric, MetricWindow window, Duration step, String stepText, Instant now) {
        TimeSeriesSet set = timeSeries(apikey, List.of(metric), window, step, stepText, now);
        List<Long> values = set.values().get(metric);
        List<TimeSeries.Point> points = new ArrayList<>();
        for (int index = 0; index < set.t().size(); index++) {
            points.add(new TimeSeries.Point(set.t().get(index), values.get(index)));
        }
        return new TimeSeries(apikey, metric, window.text(), stepText, points);
    }

    /**
     * Several metrics per step ({@link #timeSeries(String, String, MetricWindow, Duration, String, Instant)}),
     * each bucket's counters read once for all of them (one HMGET), and the sessions with one
     * PFCOUNT per step: a chart of 13 series costs what one did, where one series at a time took 13
     * times as many commands.
     */
    public TimeSeriesSet timeSeries(String apikey, List<String> metrics, MetricWindow window, Duration step, String stepText, Instant now) {
        return redis.read(apikey, pipeline -> timeSeries(pipeline, apikey, metrics, window, step, stepText, now));
    }

    private TimeSeriesSet timeSeries(AbstractPipeline pipeline, String apikey, List<String> metrics, MetricWindow window, Duration step, String stepText, Instant now) {
        long first = window.firstMinute(now);
        long afterLast = MetricWindow.lastMinute(now) + 1;
        long stepMinutes = step.toMinutes();
        long firstWholeDay = firstWholeDay(pipeline, apikey);
        List<Long> starts = new ArrayList<>();
        List<List<Bucket>> steps = new ArrayList<>();
        for (long stepIndex = Math.floorDiv(first, stepMinutes); stepIndex * stepMinutes < afterLast; stepIndex++) {
            long to = Math.min((stepIndex + 1) * stepMinutes, afterLast);
            starts.add(stepIndex * step.toMillis());
            steps.add(MetricWindow.cover(Math.max(first, stepIndex * stepMinutes), to, to == afterLast, firstWholeDay));
        }
        List<String> counters = metrics.stream().filter(metric -> !metric.equals("sessions")).distinct().toList();
        String[] fields = counters.stream().map(metric -> metric.equals("whiteScreens") ? "whiteScreen:blank" : metric).toArray(String[]::new);
        boolean sessions = metrics.contains("sessions");
        Map<String, List<Long>> values = new LinkedHashMap<>();
        metrics.forEach(metric -> values.put(metric, new ArrayList<>()));
        for (int from = 0; from < steps.size(); from += BUCKETS_PER_PIPELINE) {
            List<List<Response<List<String>>>> counted = new ArrayList<>();
            List<Response<Long>> sessionCounts = new ArrayList<>();
            {
                for (List<Bucket> stepCover : steps.subList(from, Math.min(from + BUCKETS_PER_PIPELINE, steps.size()))) {
                    counted.add(fields.length == 0 ? List.of() : stepCover.stream()
                            .map(bucket -> pipeline.hmget(MetricKeys.counters(apikey, bucket.resolution(), bucket.index()), fields)).toList());
                    if (sessions) {
                        sessionCounts.add(pipeline.pfcount(keys(stepCover,
                                bucket -> MetricKeys.sessions(apikey, bucket.resolution(), bucket.index())).toArray(String[]::new)));
                    }
                }
                pipeline.sync();
            }
            for (int index = 0; index < counted.size(); index++) {
                long[] sums = new long[fields.length];
                for (Response<List<String>> bucket : counted.get(index)) {
                    for (int field = 0; field < fields.length; field++) {
                        String value = bucket.get().get(field);
                        sums[field] += value == null ? 0 : Long.parseLong(value);
                    }
                }
                for (int field = 0; field < fields.length; field++) {
                    values.get(counters.get(field)).add(sums[field]);
                }
                if (sessions) {
                    values.get("sessions").add(sessionCounts.get(index).get());
                }
            }
        }
        return new TimeSeriesSet(apikey, window.text(), stepText, starts, values);
    }

    /**
     * The {@code limit} members of the largest scores summed over the sorted sets, largest first
     * and ties by member, as entries of member and sum. Added up in Redis by a read-only script
     * ({@code largest-members.lua}), so only the top ones are carried here however many members
     * the buckets hold, and it still answers where Redis refuses writes (at maxmemory under
     * noeviction, a read-only user or replica).
     */
    private List<Map.Entry<String, Long>> largestMembers(AbstractPipeline pipeline, String apikey, List<String> keys, int limit) {
        if (limit <= 0 || keys.isEmpty()) {
            return List.of();
        }
        Response<Object> reply = pipeline.eval(largestMembersScript, keys, List.of(String.valueOf(limit)));
        pipeline.sync();
        List<Map.Entry<String, Long>> top = new ArrayList<>();
        List<?> flat = (List<?>) reply.get();
        for (int i = 0; i < flat.size(); i += 2) {
            top.add(Map.entry(text(flat.get(i)), Long.parseLong(text(flat.get(i + 1)))));
        }
        return top;
    }

    private static String text(Object reply) {
        return reply instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(reply);
    }

    /** The window's cover, its days from their day buckets only where those counted the whole day ({@link #firstWholeDay}). */
    private List<Bucket> cover(AbstractPipeline pipeline, String apikey, MetricWindow window, Instant now) {
        if (window.resolution() == Resolution.MINUTE) {
            return window.cover(now);
        }
        return window.cover(now, firstWholeDay(pipeline, apikey));
    }

    /**
     * The first day whose day bucket holds every event of it: the day after the first this version
     * counted by day ({@link MetricKeys#dayBuckets}), or that first day itself when nothing was
     * counted before it that day (a new project: the script records it so). Before it, the previous
     * version counted without day buckets, so a day there is read from its hours, which the script
     * keeps as long as day buckets for that reason; with no record at all, every day.
     */
    private long firstWholeDay(AbstractPipeline pipeline, String apikey) {
        {
            Response<String> firstDay = pipeline.hget(MetricKeys.dayBuckets(apikey), MetricKeys.FIRST_DAY);
            pipeline.sync();
            return firstDay.get() == null ? Long.MAX_VALUE : 1 - Long.parseLong(firstDay.get());
        }
    }

    /** PFCOUNT of the buckets' session sketches together: their union, as one sketch of the window would count. */
    private long sessions(AbstractPipeline pipeline, String apikey, List<Bucket> cover) {
        {
            Response<Long> sessions = pipeline.pfcount(keys(cover, bucket -> MetricKeys.sessions(apikey, bucket.resolution(), bucket.index()))
                    .toArray(String[]::new));
            pipeline.sync();
            return sessions.get();
        }
    }

    /** Adds up the buckets' hashes field by field, a few buckets a pipeline. */
    private Map<String, Long> sumHashes(AbstractPipeline pipeline, List<Bucket> cover, Function<Bucket, String> keyOf) {
        Map<String, Long> totals = new TreeMap<>();
        for (List<Bucket> some : chunks(cover)) {
            List<Response<Map<String, String>>> responses = new ArrayList<>();
            {
                some.forEach(bucket -> responses.add(pipeline.hgetAll(keyOf.apply(bucket))));
                pipeline.sync();
            }
            responses.forEach(response -> response.get().forEach((field, value) -> totals.merge(field, Long.parseLong(value), Long::sum)));
        }
        return totals;
    }

    private static List<String> keys(List<Bucket> cover, Function<Bucket, String> keyOf) {
        return cover.stream().map(keyOf).toList();
    }

    static List<List<Bucket>> chunks(List<Bucket> buckets) {
        List<List<Bucket>> chunks = new ArrayList<>();
        for (int from = 0; from < buckets.size(); from += BUCKETS_PER_PIPELINE) {
            chunks.add(buckets.subList(from, Math.min(from + BUCKETS_PER_PIPELINE, buckets.size())));
        }
        return chunks;
    }

    /** A whole histogram's percentiles, as {@link WindowPercentiles} gives them for the fine ones. */
    private static WindowPercentiles.Percentiles percentiles(VitalsHistogram scale, Map<String, Long> histogram) {
        long samples = histogram.values().stream().mapToLong(Long::longValue).sum();
        if (samples == 0) {
            return WindowPercentiles.Percentiles.NONE;
        }
        double[] p = WindowPercentiles.PERCENTILES;
        return new WindowPercentiles.Percentiles(samples, scale.percentile(histogram, p[0]), scale.percentile(histogram, p[1]),
                scale.percentile(histogram, p[2]));
    }

    private static Map<String, Long> ratings(Map<String, Long> totals, String prefix) {
        Map<String, Long> ratings = new LinkedHashMap<>();
        for (String rating : RATINGS) {
            ratings.put(rating, totals.getOrDefault(prefix + rating, 0L));
        }
        return ratings;
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
