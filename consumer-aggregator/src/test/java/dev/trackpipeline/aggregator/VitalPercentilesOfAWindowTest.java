package dev.trackpipeline.aggregator;

import static dev.trackpipeline.aggregator.JunkFlood.APIKEY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.aggregator.ReadsCostIsBoundedTest.Cost;
import dev.trackpipeline.aggregator.metrics.MetricKeys;
import dev.trackpipeline.aggregator.metrics.MetricKeys.Bucket;
import dev.trackpipeline.aggregator.metrics.MetricKeys.Resolution;
import dev.trackpipeline.aggregator.metrics.VitalsHistogram;
import dev.trackpipeline.aggregator.query.MetricWindow;
import dev.trackpipeline.aggregator.query.PageCosts;
import dev.trackpipeline.aggregator.query.VitalSummary;
import dev.trackpipeline.model.event.PerformanceEvents;
import dev.trackpipeline.model.fixtures.WebSeeFixtures.CapturedRequest;
import dev.trackpipeline.model.vitals.VitalThresholds;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A window's vital and resource-duration percentiles are read in two passes (the coarse buckets,
 * then the fine buckets inside the ones the percentiles fall in), and must be exactly those of the
 * whole fine histograms: here, those of the values sent, bucketed on the fine scale. Filled on
 * purpose, the histograms of an hour cost at most an eighth of reading them whole.
 */
class VitalPercentilesOfAWindowTest {

    static final Instant NOW = Instant.parse("2026-05-04T10:30:30Z");
    static final List<String> WINDOWS = List.of("15m", "1h", "24h", "7d", "30d");
    static final List<String> VITALS = List.copyOf(new java.util.TreeSet<>(PerformanceEvents.VITALS));

    /** What was sent, per family, as (received-at, value). */
    private final Map<String, List<double[]>> sent = new HashMap<>();
    private final Random random = new Random(20261201);
    private int made;

    @Test
    void everyWindowsPercentilesAreThoseOfItsValuesOnTheFineScale() {
        try (JunkFlood store = new JunkFlood(NOW)) {
            sendVitalsAndResourcesOverSixDays(store);

            for (String text : WINDOWS) {
                MetricWindow window = MetricWindow.parse(text);
                Map<String, VitalSummary> vitals = store.reader.vitals(APIKEY, window, NOW);
                for (String metric : PerformanceEvents.VITALS) {
                    assertThat(vitals.get(metric)).as("%s over %s", metric, text).isEqualTo(expected(metric, window, vitals.get(metric)));
                }
                PageCosts.Durations resources = store.reader.pageCosts(APIKEY, window, NOW, 5).resources();
                assertThat(new double[] {resources.samples(), resources.p50(), resources.p75(), resources.p95()}).as("resources over %s", text)
                        .containsExactly(expectedPercentiles(MetricKeys.RESOURCES, window));
            }
        }
    }

    /**
     * The previous version wrote a vital's fine histogram without its coarse buckets; an instance
     * still running it during an upgrade goes on doing so. Such a bucket's values count all the
     * same, in the same percentiles, read whole.
     */
    @Test
    void aBucketThePreviousVersionWroteWithoutCoarseBucketsIsReadWholeAndCountsTheSame() {
        try (JunkFlood store = new JunkFlood(NOW)) {
            Instant receivedAt = NOW.minus(Duration.ofMinutes(7));
            for (int i = 0; i < 300; i++) {
                double value = Math.exp(3 + random.nextDouble() * 6);
                record("LCP", receivedAt, value);
                for (Resolution resolution : Resolution.values()) {
                    long bucket = resolution.bucketOf(receivedAt);
                    store.redis.hincrBy(MetricKeys.vitalHistogram(APIKEY, resolution, bucket, "LCP"), VitalsHistogram.FINE.bucketOf(value), 1);
                    store.redis.hincrBy(MetricKeys.counters(APIKEY, resolution, bucket),
                            "vital:LCP:" + VitalThresholds.of("LCP").orElseThrow().rate(value).label(), 1);
                }
            }
            // A version before the scale's floor kept 1e-5 in a bucket of its own (-581), which reads as zero now; 900 stands
            // for any bucket above today's ceiling.
            for (double value : new double[] {1e-5, 1e-5, 5.5e7}) {
                record("LCP", receivedAt, value);
                String field = String.valueOf((long) Math.ceil(Math.log(value) / Math.log(1.02) - 1e-9));
                for (Resolution resolution : Resolution.values()) {
                    long bucket = resolution.bucketOf(receivedAt);
                    store.redis.hincrBy(MetricKeys.vitalHistogram(APIKEY, resolution, bucket, "LCP"), field, 1);
                    store.redis.hincrBy(MetricKeys.counters(APIKEY, resolution, bucket),
                            "vital:LCP:" + VitalThresholds.of("LCP").orElseThrow().rate(value).label(), 1);
                }
            }
            sendVitalsAndResourcesOverSixDays(store);

            for (String text : WINDOWS) {
                MetricWindow window = MetricWindow.parse(text);
                VitalSummary lcp = store.reader.vitals(APIKEY, window, NOW).get("LCP");
                assertThat(lcp).as("LCP over %s", text).isEqualTo(expected("LCP", window, lcp));
            }
            assertThat(store.redis.hget(MetricKeys.vitalHistogram(APIKEY, Resolution.MINUTE, Resolution.MINUTE.bucketOf(receivedAt), "LCP"), "-581"))
                    .isEqualTo("2");
        }
    }

    /**
     * A bucket ahead of Redis's clock (a gateway's clock ahead) lives from each write, so its
     * coarse hash, written by every vital, can outlive one vital's fine histogram. Its percentiles
     * then stand at the middle of their coarse buckets, off by at most 22 %.
     */
    @Test
    void aFineHistogramGoneBeforeItsCoarseCountsGivesTheMiddleOfTheCoarseBucketNotAnError() {
        try (JunkFlood store = new JunkFlood(NOW)) {
            sendVitalsAndResourcesOverSixDays(store);
            MetricWindow quarter = MetricWindow.parse("15m");
            VitalSummary exact = store.reader.vitals(APIKEY, quarter, NOW).get("LCP");
            quarter.cover(NOW).forEach(bucket -> store.redis.del(MetricKeys.vitalHistogram(APIKEY, bucket.resolution(), bucket.index(), "LCP")));

            VitalSummary read = store.reader.vitals(APIKEY, quarter, NOW).get("LCP");

            assertThat(read.samples()).isEqualTo(exact.samples()).isPositive();
            for (double[] pair : new double[][] {{read.p50(), exact.p50()}, {read.p75(), exact.p75()}, {read.p95(), exact.p95()}}) {
                List<String> sameCoarseBucket = VitalsHistogram.FINE.bucketsIn(VitalsHistogram.coarseOf(VitalsHistogram.FINE.bucketOf(pair[1])));
                assertThat(pair[0]).isEqualTo(VitalsHistogram.FINE.valueOf(sameCoarseBucket.get(sameCoarseBucket.size() / 2)));
                assertThat(pair[0] / pair[1]).isBetween(1 / 1.22, 1.22);
            }
        }
    }

    /** Whatever values arrive, a bucket's coarse histograms hash holds at most the fields MetricKeys states, below Redis's listpack size. */
    @Test
    void everyCoarseBucketOfEveryFamilySentThroughTheCountingFillsTheHashToItsStatedBoundAndNoFurther() {
        try (JunkFlood store = new JunkFlood(NOW)) {
            Instant receivedAt = NOW.minus(Duration.ofMinutes(1));
            for (String metric : VITALS) {
                double largest = VitalThresholds.of(metric).orElseThrow().max();
                List<Double> values = new ArrayList<>(List.of(largest * 10, 1e-300));
                VitalsHistogram.FINE.coarseBucketsUpTo(largest).forEach(coarse -> values.add(Math.min(largest, topOfFirstBucketIn(coarse))));
                values.forEach(value -> store.send(store.read(event("\"name\":\"" + metric + "\",\"value\":" + value + ",\"rating\":\"good\""),
                        receivedAt)));
            }
            StringBuilder entries = new StringBuilder();
            for (String coarse : VitalsHistogram.FINE.coarseBuckets()) {
                double duration = topOfFirstBucketIn(coarse);
                entries.append(entries.isEmpty() ? "" : ",").append("{\"name\":\"https://x.test/a.js\",\"duration\":").append(duration).append('}');
            }
            store.send(store.read(event("\"name\":\"resourceList\",\"resourceList\":[" + entries + ",{\"duration\":1e300}]"), receivedAt));
            store.flush();

            String key = MetricKeys.coarseHistograms(APIKEY, Resolution.MINUTE, Resolution.MINUTE.bucketOf(receivedAt));
            assertThat(store.redis.hlen(key)).isEqualTo(MetricKeys.COARSE_HISTOGRAM_FIELDS).isLessThanOrEqualTo(512);
            // One compact encoding: a ziplist on Redis 6.2 (the tests'), a listpack from 7.0.
            assertThat(store.redis.objectEncoding(key)).isIn("ziplist", "listpack");
        }
    }

    /**
     * Every fine bucket of every vital filled in each minute of an hour, as anyone with the public
     * apikey can (about 135 events a second): read whole, one overview took 15.3 MB from Redis.
     */
    @Test
    void anHourOfHistogramsFilledOnPurposeCostsAnEighthOfReadingThemWhole() {
        try (JunkFlood store = new JunkFlood(NOW)) {
            MetricWindow hour = MetricWindow.parse("1h");
            List<Bucket> cover = hour.cover(NOW);
            cover.forEach(bucket -> AttackerFilledBuckets.fillEveryCap(store.redis, APIKEY, bucket.resolution(), bucket.index(), 0, 0));

            Cost whole = Cost.of(store.redis, () -> {
                cover.forEach(bucket -> PerformanceEvents.VITALS.forEach(metric ->
                        store.redis.hgetAll(MetricKeys.vitalHistogram(APIKEY, bucket.resolution(), bucket.index(), metric))));
                return null;
            });
            Cost overview = Cost.of(store.redis, () -> store.reader.overview(APIKEY, hour, NOW));

            System.out.printf("1 h overview over histograms filled on purpose: %,d commands, %,d bytes back (the histograms whole: %,d bytes)%n",
                    overview.commands(), overview.bytesSent(), whole.bytesSent());
            // Every coarse field of a bucket (485), then at most 3 × 20 fine ones a vital: about a ninth of the 1,230 a vital.
            assertThat(overview.bytesSent()).isLessThan(whole.bytesSent() / 8);
            // Per bucket: counters, sessions, and the coarse hash with the ratings, then each vital's fine buckets of three coarse ones.
            assertThat(overview.commands()).isLessThanOrEqualTo(cover.size() * (2 + 1 + PerformanceEvents.VITALS.size()) + 10L);
        }
    }

    /** The largest value of the first fine bucket of a coarse one (the floor's bucket's middle lies below the floor). */
    private static double topOfFirstBucketIn(String coarse) {
        String first = VitalsHistogram.FINE.bucketsIn(coarse).get(0);
        return first.equals("z") ? 0 : Math.pow(1.02, Long.parseLong(first));
    }

    /** Vitals of every kind and resource lists, log-uniform over their plausible range and some zeros, received over six days, oldest first. */
    private void sendVitalsAndResourcesOverSixDays(JunkFlood store) {
        long from = NOW.minus(Duration.ofDays(6)).toEpochMilli();
        List<long[]> times = new ArrayList<>();
        for (int i = 0; i < 4_000; i++) {
            // Half in the last two hours, so that the short windows hold many.
            long span = i % 2 == 0 ? NOW.toEpochMilli() - from : Duration.ofHours(2).toMillis();
            times.add(new long[] {NOW.toEpochMilli() - (long) (random.nextDouble() * span)});
        }
        times.sort((a, b) -> Long.compare(a[0], b[0]));
        for (long[] time : times) {
            Instant receivedAt = Instant.ofEpochMilli(time[0]);
            if (made % 8 == 7) {
                StringBuilder entries = new StringBuilder();
                for (int entry = 0; entry < 5; entry++) {
                    double duration = value(3_600_000);
                    record(MetricKeys.RESOURCES, receivedAt, duration);
                    entries.append(entry == 0 ? "" : ",").append("{\"name\":\"https://x.test/").append(entry).append(".js\",\"duration\":")
                            .append(duration).append('}');
                }
                store.send(store.read(event("\"name\":\"resourceList\",\"resourceList\":[" + entries + "]"), receivedAt));
            } else {
                String metric = VITALS.get(made % VITALS.size());
                double value = value(VitalThresholds.of(metric).orElseThrow().max());
                record(metric, receivedAt, value);
                store.send(store.read(event("\"name\":\"" + metric + "\",\"value\":" + value + ",\"rating\":\"good\""), receivedAt));
            }
        }
        store.flush();
    }

    private double value(double largest) {
        return random.nextInt(20) == 0 ? 0 : Math.exp(Math.log(1e-3) + random.nextDouble() * (Math.log(largest) - Math.log(1e-3)));
    }

    private void record(String family, Instant receivedAt, double value) {
        sent.computeIfAbsent(family, first -> new ArrayList<>()).add(new double[] {receivedAt.toEpochMilli(), value});
    }

    private CapturedRequest event(String fields) {
        int index = made++;
        String body = "{\"type\":\"performance\",\"status\":\"ok\"," + fields + ",\"pageUrl\":\"https://x.test/p" + (index % 3)
                + "\",\"apikey\":\"" + APIKEY + "\",\"uuid\":\"s-" + (index % 40) + "\",\"time\":" + (1795642100000L + index) + "}";
        return new CapturedRequest("POST", "/reportData", "application/json", null, body);
    }

    private VitalSummary expected(String metric, MetricWindow window, VitalSummary actual) {
        double[] percentiles = expectedPercentiles(metric, window);
        if (percentiles[0] == 0) {
            return null;
        }
        var thresholds = VitalThresholds.of(metric).orElseThrow();
        return new VitalSummary((long) percentiles[0], percentiles[1], percentiles[2], percentiles[3], thresholds.rate(percentiles[2]).label(),
                actual == null ? null : actual.ratings(), actual == null ? null : actual.sdkRatings(), 0);
    }

    /** Samples, p50, p75 and p95 of the values of the window, each read back as the middle of its fine bucket. */
    private double[] expectedPercentiles(String family, MetricWindow window) {
        Map<String, Long> histogram = new HashMap<>();
        sent.getOrDefault(family, List.of()).stream().filter(value -> value[0] >= window.startMillis(NOW) && value[0] <= NOW.toEpochMilli())
                .forEach(value -> histogram.merge(VitalsHistogram.FINE.bucketOf(value[1]), 1L, Long::sum));
        long samples = histogram.values().stream().mapToLong(Long::longValue).sum();
        if (samples == 0) {
            return new double[] {0, Double.NaN, Double.NaN, Double.NaN};
        }
        return new double[] {samples, VitalsHistogram.FINE.percentile(histogram, 0.50), VitalsHistogram.FINE.percentile(histogram, 0.75),
                VitalsHistogram.FINE.percentile(histogram, 0.95)};
    }
}
