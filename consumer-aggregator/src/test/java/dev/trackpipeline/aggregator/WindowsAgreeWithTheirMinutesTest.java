package dev.trackpipeline.aggregator;

import static dev.trackpipeline.aggregator.JunkFlood.APIKEY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.aggregator.metrics.MetricKeys;
import dev.trackpipeline.aggregator.metrics.MetricKeys.Resolution;
import dev.trackpipeline.aggregator.query.MetricWindow;
import dev.trackpipeline.aggregator.query.MetricsReader;
import dev.trackpipeline.aggregator.query.Overview;
import dev.trackpipeline.aggregator.query.PageVital;
import dev.trackpipeline.aggregator.query.TimeSeriesSet;
import dev.trackpipeline.aggregator.query.VitalSummary;
import dev.trackpipeline.aggregator.query.TopError;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.Response;

/**
 * A window is read from the coarsest buckets that fit in it (minutes up to the next hour, hours up
 * to the next day, then days): every number it gives must be the one its minutes give, read one by
 * one, for every window the API takes, up to 30 days. The real SDK's traffic is sent every 23
 * minutes over the last 50 hours and every 3 h 7 min over the month before, so that the windows
 * start and end in every kind of bucket. (Minute buckets are kept here 31 days, where the defaults
 * keep them 70 minutes, so that there are minutes to compare with.)
 */
class WindowsAgreeWithTheirMinutesTest {

    static final Instant NOW = Instant.parse("2026-05-04T10:30:30Z");
    static final Duration DENSE = Duration.ofHours(50);
    static final Duration EVERY = Duration.ofMinutes(23);
    static final Duration SPARSE = Duration.ofDays(31);
    static final Duration RARELY = Duration.ofMinutes(187);
    static final List<String> RAW_CHECKED_WINDOWS = List.of("15m", "1h", "2h", "90m", "6h", "23h", "24h", "7d", "30d");
    /** The windows read from coarser buckets than minutes (those of an hour or less are read minute by minute already). */
    static final List<String> EVERY_WINDOW = List.of("90m", "6h", "23h", "24h", "25h", "48h", "49h", "3d", "7d", "30d");
    static final AggregatorProperties MINUTES_KEPT_A_MONTH = new AggregatorProperties("windows-test", null, Duration.ofHours(1),
            Duration.ofDays(31), Duration.ofHours(48), 500, 50, 500, 10_000);

    static final JunkFlood store = new JunkFlood(NOW, MINUTES_KEPT_A_MONTH);
    static final JedisPooled redis = store.redis;
    static final MetricsReader reader = store.reader;

    @BeforeAll
    static void sendTheRealTrafficOverAMonth() {
        store.sendRealTrafficEvery(RARELY, NOW.minus(SPARSE), NOW.minus(DENSE), at -> { });
        store.sendRealTrafficEvery(EVERY, NOW.minus(DENSE).plus(EVERY), NOW, at -> { });
    }

    @AfterAll
    static void stop() {
        store.close();
    }

    @Test
    void everyWindowCountsWhatItsMinutesCount() {
        for (String text : RAW_CHECKED_WINDOWS) {
            MetricWindow window = MetricWindow.parse(text);
            List<String> minutes = keysOf(Resolution.MINUTE, window.startMillis(NOW), "");
            Overview overview = reader.overview(APIKEY, window, NOW);
            Map<String, Long> counted = sumOf(minutes);

            assertThat(overview.events()).as(text).isPositive().isEqualTo(counted.get("events"));
            assertThat(overview.errors()).as(text).isEqualTo(counted.get("errors"));
            assertThat(overview.byType()).as(text).isEqualTo(prefixed(counted, "type:"));
            assertThat(overview.byStatus()).as(text).isEqualTo(prefixed(counted, "status:"));
            // The union of the same members' sketches, so the very same estimate.
            assertThat(overview.sessions()).as(text).isEqualTo(redis.pfcount(
                    keysOf(Resolution.MINUTE, window.startMillis(NOW), ":sessions").toArray(String[]::new)));
            assertThat(topErrors(window)).as(text).isEqualTo(sortedSetsOf(keysOf(Resolution.MINUTE, window.startMillis(NOW), ":errors")));
            assertThat(reader.vitals(APIKEY, window, NOW).get("LCP").samples()).as(text)
                    .isEqualTo(counted.entrySet().stream().filter(field -> field.getKey().startsWith("vital:LCP:"))
                            .filter(field -> !field.getKey().contains(":sdk:") && !field.getKey().endsWith(":invalid"))
                            .mapToLong(Map.Entry::getValue).sum());
        }
    }

    @Test
    void everyWindowAnswersEveryReadAsItsMinutesDo() {
        for (String text : EVERY_WINDOW) {
            MetricWindow window = MetricWindow.parse(text);
            MetricWindow minutes = minuteByMinute(window);
            assertThat(minutes.cover(NOW)).as(text).hasSize((int) (MetricWindow.lastMinute(NOW) - window.firstMinute(NOW) + 1))
                    .allMatch(bucket -> bucket.resolution() == Resolution.MINUTE);
            // ...where the window itself is read from hours (up to a day) or days: two different reads of the same events
            assertThat(window.cover(NOW, Long.MIN_VALUE)).as(text)
                    .anyMatch(bucket -> bucket.resolution() == (window.resolution() == Resolution.DAY ? Resolution.DAY : Resolution.HOUR));

            Overview overview = reader.overview(APIKEY, window, NOW);
            assertThat(overview.events()).as(text).isPositive();
            assertThat(overview.sessions()).as(text).isPositive();
            assertThat(overview).as(text).usingRecursiveComparison().ignoringFields("window", "to")
                    .isEqualTo(reader.overview(APIKEY, minutes, NOW));
            Map<String, VitalSummary> vitals = reader.vitals(APIKEY, window, NOW);
            assertThat(vitals).as(text).isNotEmpty().isEqualTo(reader.vitals(APIKEY, minutes, NOW));
            // A group's sample is the first occurrence its newest bucket saw: a day's and a minute's differ, and each names one.
            List<TopError> topErrors = reader.topErrors(APIKEY, window, NOW, 100);
            List<TopError> topErrorsOfMinutes = reader.topErrors(APIKEY, minutes, NOW, 100);
            assertThat(topErrors).as(text).isNotEmpty().usingRecursiveFieldByFieldElementComparatorIgnoringFields("sampleEventId")
                    .isEqualTo(topErrorsOfMinutes);
            assertThat(topErrors).as(text).allMatch(error -> !error.sampleEventId().isEmpty());
            assertThat(topErrorsOfMinutes).as(text).allMatch(error -> !error.sampleEventId().isEmpty());
            assertThat(reader.pageCosts(APIKEY, window, NOW, 100)).as(text)
                    .satisfies(costs -> assertThat(costs.httpFailures()).isNotEmpty())
                    .isEqualTo(reader.pageCosts(APIKEY, minutes, NOW, 100));
            for (String vital : vitals.keySet()) {
                List<PageVital> pages = reader.slowestPages(APIKEY, vital, window, NOW, 100);
                assertThat(pages).as(text + " " + vital).isEqualTo(reader.slowestPages(APIKEY, vital, minutes, NOW, 100));
                pages.forEach(page -> assertThat(reader.pageVitals(APIKEY, page.page(), window, NOW)).as(text + " " + page.page())
                        .isNotEmpty().isEqualTo(reader.pageVitals(APIKEY, page.page(), minutes, NOW)));
            }
        }
    }

    @Test
    void everyStepOfASeriesCountsWhatItsMinutesCount() {
        List<String> metrics = new ArrayList<>(List.of("events", "errors", "whiteScreens", "sessions"));
        reader.overview(APIKEY, MetricWindow.parse("30d"), NOW).byType().keySet().forEach(type -> metrics.add("type:" + type));
        for (List<String> asked : List.of(List.of("24h", "1h"), List.of("24h", "3h"), List.of("48h", "1d"), List.of("7d", "1d"),
                List.of("30d", "1d"), List.of("30d", "3d"))) {
            MetricWindow window = MetricWindow.parse(asked.get(0));
            Duration step = MetricWindow.parse(asked.get(1)).length();
            TimeSeriesSet series = reader.timeSeries(APIKEY, metrics, window, step, asked.get(1), NOW);

            assertThat(series.values().get("events").stream().mapToLong(Long::longValue).sum()).as(asked.toString())
                    .isEqualTo(reader.overview(APIKEY, window, NOW).events());
            for (int point = 0; point < series.t().size(); point++) {
                long from = Math.max(series.t().get(point), window.startMillis(NOW));
                long to = Math.min(series.t().get(point) + step.toMillis(), NOW.toEpochMilli() + 1);
                Map<String, Long> counted = sumOf(keysBetween(Resolution.MINUTE, from, to, ""));
                String[] sessions = keysBetween(Resolution.MINUTE, from, to, ":sessions").toArray(String[]::new);
                String at = asked + " " + Instant.ofEpochMilli(series.t().get(point));
                for (String metric : metrics) {
                    long expected = switch (metric) {
                        case "sessions" -> redis.pfcount(sessions);
                        case "whiteScreens" -> counted.getOrDefault("whiteScreen:blank", 0L);
                        default -> counted.getOrDefault(metric, 0L);
                    };
                    assertThat(series.values().get(metric).get(point)).as(at + " " + metric).isEqualTo(expected);
                }
            }
        }
    }

    /** The same window read from its minute buckets alone: the same first minute, every minute from there to now's. */
    private static MetricWindow minuteByMinute(MetricWindow window) {
        long minutes = MetricWindow.lastMinute(NOW) - window.firstMinute(NOW) + 1;
        return new MetricWindow(window.text(), Duration.ofMinutes(minutes), Resolution.MINUTE);
    }

    private static Map<String, Long> topErrors(MetricWindow window) {
        return reader.topErrors(APIKEY, window, NOW, 100).stream().collect(Collectors.toMap(TopError::fingerprint, TopError::count));
    }

    /** The keys of one resolution's buckets from {@code fromMillis} to now, with a suffix ("" for the counters). */
    private static List<String> keysOf(Resolution resolution, long fromMillis, String suffix) {
        return keysBetween(resolution, fromMillis, NOW.toEpochMilli() + 1, suffix);
    }

    private static List<String> keysBetween(Resolution resolution, long fromMillis, long toMillis, String suffix) {
        long length = resolution.length().toMillis();
        return java.util.stream.LongStream.range(fromMillis / length, (toMillis + length - 1) / length)
                .mapToObj(bucket -> MetricKeys.counters(APIKEY, resolution, bucket) + suffix).toList();
    }

    private static Map<String, Long> sumOf(List<String> hashes) {
        Map<String, Long> sum = new TreeMap<>();
        List<Response<Map<String, String>>> replies = new ArrayList<>();
        try (var pipeline = redis.pipelined()) {
            hashes.forEach(key -> replies.add(pipeline.hgetAll(key)));
        }
        replies.forEach(reply -> reply.get().forEach((field, value) -> sum.merge(field, Long.parseLong(value), Long::sum)));
        return sum;
    }

    private static Map<String, Long> sortedSetsOf(List<String> keys) {
        Map<String, Long> sum = new TreeMap<>();
        List<Response<List<redis.clients.jedis.resps.Tuple>>> replies = new ArrayList<>();
        try (var pipeline = redis.pipelined()) {
            keys.forEach(key -> replies.add(pipeline.zrangeWithScores(key, 0, -1)));
        }
        replies.forEach(reply -> reply.get().forEach(tuple -> sum.merge(tuple.getElement(), (long) tuple.getScore(), Long::sum)));
        return sum;
    }

    private static Map<String, Long> prefixed(Map<String, Long> counted, String prefix) {
        return counted.entrySet().stream().filter(field -> field.getKey().startsWith(prefix))
                .collect(Collectors.toMap(field -> field.getKey().substring(prefix.length()), Map.Entry::getValue, Long::sum, TreeMap::new));
    }
}
