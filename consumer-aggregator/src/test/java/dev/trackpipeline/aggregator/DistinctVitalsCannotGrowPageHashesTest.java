package dev.trackpipeline.aggregator;

import static dev.trackpipeline.aggregator.JunkFlood.APIKEY;
import static dev.trackpipeline.aggregator.JunkFlood.REAL;
import static dev.trackpipeline.aggregator.JunkFlood.START;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.trackpipeline.aggregator.metrics.EventCounts;
import dev.trackpipeline.aggregator.metrics.MetricKeys;
import dev.trackpipeline.aggregator.metrics.MetricKeys.Resolution;
import dev.trackpipeline.aggregator.query.MetricWindow;
import dev.trackpipeline.aggregator.query.MetricsReader;
import dev.trackpipeline.aggregator.query.PageVital;
import dev.trackpipeline.model.fixtures.WebSeeFixtures.CapturedRequest;
import dev.trackpipeline.model.vitals.VitalThresholds;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisPooled;

/**
 * The flood the junk tests do not send: the same pages measured over and over, each time with a
 * value not sent before. Page caps bound how many page hashes a bucket keeps, and the scale of
 * their histograms how many fields each one has: on the project's fine scale a page took a field
 * per 2 % of every vital's range (up to 8,129 fields, about 575 KB), so 50 pages at the default
 * rate limit held about 4 MB a minute bucket, and 500 pages up to 260 MB an hour bucket.
 *
 * <p>52 pages (the minute cap and two more, so pages keep giving up their places and their fields
 * join (other)) are each sent every vital at every fifth bucket of the fine scale from 1e-4 to the
 * largest plausible value, so at every bucket of a page's scale, with 0, 1, that largest value,
 * implausible and huge values, and every SDK rating: 86,580 events, all received within one
 * minute. The real traffic follows in the same minute: the SDK's captured events, and a checkout
 * page with 400 LCPs.
 */
class DistinctVitalsCannotGrowPageHashesTest {

    static final int PAGES = JunkFlood.PROPERTIES.maxPagesPerMinuteBucket() + 2;
    static final List<String> DURATIONS = List.of("LCP", "INP", "FCP", "TTFB", "FID", "FSP");
    static final List<String> SDK_RATINGS = List.of("good", "needs-improvement", "poor");
    /**
     * A hash of all {@link EventCounts#MAX_PAGE_FIELDS} fields is one listpack (Redis's default
     * hash-max-listpack-entries is 512): measured 7.1 KB with Redis 6.2 and 7.2 KB with 7.0 (MEMORY
     * USAGE of every field). On the fine scale a page's hash took up to 575 KB.
     */
    static final long MAX_PAGE_HASH_BYTES = 8_000;
    static final Instant NOW = START.plusSeconds(90);
    static final Instant REAL_TRAFFIC = START.plusSeconds(55);

    static final JunkFlood flood = new JunkFlood(NOW);
    static final JedisPooled redis = flood.redis;
    static final MetricsReader reader = flood.reader;
    /** Every plausible LCP sent, flood and real traffic, for the project's exact percentiles. */
    static final List<Double> lcps = new ArrayList<>();
    static final double[] checkoutLcps = new double[400];

    @BeforeAll
    static void sendEveryPageEveryValueThenTheRealTraffic() {
        long emptyMemory = flood.usedMemory();
        List<Measurement> measurements = new ArrayList<>();
        DURATIONS.forEach(metric -> everyValue(3_600_000).forEach(value -> measurements.add(new Measurement(metric, value))));
        everyValue(100).forEach(value -> measurements.add(new Measurement("CLS", value)));
        long sent = 0;
        long events = (long) measurements.size() * PAGES;
        // Page after page for each value, so that every poll meets more pages than the minute keeps.
        for (Measurement measurement : measurements) {
            for (int page = 0; page < PAGES; page++) {
                Instant receivedAt = START.plusMillis(50_000 * sent / events);
                String rating = SDK_RATINGS.get((int) (sent % SDK_RATINGS.size()));
                flood.send(flood.read(vital(measurement.metric(), measurement.value(), floodPage(page), rating, sent), receivedAt));
                if (measurement.metric().equals("LCP") && plausible("LCP", measurement.value())) {
                    lcps.add(measurement.value());
                }
                sent++;
            }
        }
        flood.flush();
        Random random = new Random(20260504);
        for (int i = 0; i < checkoutLcps.length; i++) {
            checkoutLcps[i] = Math.round(Math.exp(random.nextGaussian() * 0.5 + 7.5)); // around 1.8 s
            flood.send(flood.read(vital("LCP", checkoutLcps[i], "/checkout/", "good", sent + i), REAL_TRAFFIC));
            lcps.add(checkoutLcps[i]);
        }
        REAL.forEach(request -> flood.send(flood.read(request, REAL_TRAFFIC)));
        REAL.stream().filter(request -> request.body().contains("\"name\":\"LCP\""))
                .forEach(request -> lcps.add(request.event().path("value").asDouble()));
        flood.flush();
        Arrays.sort(checkoutLcps);
        System.out.printf("After %,d events of %d pages and the real traffic: %,d keys, used_memory %,d bytes (empty: %,d); %s%n",
                events, PAGES, redis.dbSize(), flood.usedMemory(), emptyMemory, flood.memoryByKind());
    }

    @AfterAll
    static void stop() {
        flood.close();
    }

    @Test
    void keepsEveryPagesHashWithinTheStatedFieldsInMinuteAndHourBuckets() {
        for (Resolution resolution : Resolution.values()) {
            Map<String, Long> fields = pageHashes(resolution).stream().collect(Collectors.toMap(Function.identity(), redis::hlen));

            assertThat(fields).as(resolution.name()).isNotEmpty()
                    .allSatisfy((key, count) -> assertThat(count).as(key).isLessThanOrEqualTo(EventCounts.MAX_PAGE_FIELDS));
            // The flood filled them: the bound is what a page can reach, not a guess above it.
            assertThat(fields.values()).as(resolution.name()).contains((long) EventCounts.MAX_PAGE_FIELDS);
        }
    }

    @Test
    void keepsEveryPagesHashWithinTheStatedBytes() {
        for (Resolution resolution : Resolution.values()) {
            assertThat(pageHashes(resolution)).as(resolution.name())
                    .allSatisfy(key -> assertThat(redis.memoryUsage(key, 0)).as(key).isLessThanOrEqualTo(MAX_PAGE_HASH_BYTES));
        }
        // The minute's cap and (other); the hour keeps every page.
        assertThat(pageHashes(Resolution.MINUTE)).hasSize(JunkFlood.PROPERTIES.maxPagesPerMinuteBucket() + 1);
        assertThat(pageHashes(Resolution.HOUR)).hasSizeGreaterThan(PAGES);
    }

    /** Within the coarse scale's (γ-1)/(γ+1) = 11.1 %, read one page at a time or as a ranking. */
    @Test
    void readsTheRealPagesP75BackWithinTheCoarseScalesError() {
        double exact = checkoutLcps[(int) Math.ceil(0.75 * checkoutLcps.length) - 1];

        for (String window : List.of("1h", "3d")) {
            var checkout = reader.pageVitals(APIKEY, "/checkout/", MetricWindow.parse(window), NOW).get("LCP");
            var shop = reader.pageVitals(APIKEY, "/shop/", MetricWindow.parse(window), NOW).get("LCP");
            Map<String, PageVital> ranked = reader.slowestPages(APIKEY, "LCP", MetricWindow.parse(window), NOW, Integer.MAX_VALUE).stream()
                    .collect(Collectors.toMap(PageVital::page, Function.identity()));

            assertThat(checkout.samples()).as(window).isEqualTo(checkoutLcps.length);
            assertThat(checkout.p75()).as(window).isCloseTo(exact, within(exact * JunkFlood.PAGE_ERROR));
            assertThat(ranked.get("/checkout/").p75()).as(window).isCloseTo(exact, within(exact * JunkFlood.PAGE_ERROR));
            // The fixtures' two LCPs of /shop/: 1152 and 1200 ms.
            assertThat(shop.samples()).as(window).isEqualTo(2);
            assertThat(shop.p75()).as(window).isCloseTo(1200, within(1200 * JunkFlood.PAGE_ERROR));
            assertThat(ranked.get("/shop/").p75()).as(window).isCloseTo(1200, within(1200 * JunkFlood.PAGE_ERROR));
        }
    }

    /** The project's histograms keep the fine scale: their bucket count is bounded by the plausible range instead. */
    @Test
    void readsTheProjectsPercentilesBackWithinOnePercent() {
        double[] sorted = lcps.stream().mapToDouble(Double::doubleValue).sorted().toArray();

        for (String window : List.of("1h", "3d")) {
            var lcp = reader.vitals(APIKEY, MetricWindow.parse(window), NOW).get("LCP");

            assertThat(lcp.samples()).as(window).isEqualTo(sorted.length);
            for (var percentile : Map.of(0.50, lcp.p50(), 0.75, lcp.p75(), 0.95, lcp.p95()).entrySet()) {
                double exact = sorted[(int) Math.ceil(percentile.getKey() * sorted.length) - 1];
                assertThat(percentile.getValue()).as(window + " p" + percentile.getKey()).isCloseTo(exact, within(exact * 0.01));
            }
        }
    }

    private static List<String> pageHashes(Resolution resolution) {
        String prefix = MetricKeys.pageVitalsPrefix(APIKEY, resolution, resolution.bucketOf(START));
        return flood.keys(prefix + "*");
    }

    /**
     * 0, 1, every fifth bucket of the fine scale (γ = 1.02) from 1e-4 to {@code largest}, so every
     * bucket of a page's scale (γ = 1.25), {@code largest} itself, and what is not plausible.
     */
    private static List<Double> everyValue(double largest) {
        List<Double> values = new ArrayList<>(List.of(0.0, 1.0, largest, largest + 1, -1.0, 1e300, Double.MAX_VALUE));
        for (double value = 1e-4; value < largest; value *= Math.pow(1.02, 5)) {
            values.add(value);
        }
        return values;
    }

    /** Letters, as numbers in a path would be reduced to a placeholder: /flood/gg/, /flood/gh/, ... */
    private static String floodPage(int index) {
        return "/flood/" + (char) ('g' + index / 20) + (char) ('g' + index % 20) + "/";
    }

    private static boolean plausible(String metric, double value) {
        return VitalThresholds.of(metric).orElseThrow().isPlausible(value);
    }

    private static CapturedRequest vital(String metric, double value, String page, String rating, long index) {
        return new CapturedRequest("POST", "/reportData", "application/json", null,
                "{\"type\":\"performance\",\"name\":\"" + metric + "\",\"value\":" + value + ",\"rating\":\"" + rating + "\","
                        + "\"pageUrl\":\"https://flood.test" + page + "\",\"apikey\":\"" + APIKEY + "\","
                        + "\"uuid\":\"flood-session-" + (index % 50) + "\",\"time\":" + (1795642100000L + index) + "}");
    }

    private record Measurement(String metric, double value) {
    }
}
