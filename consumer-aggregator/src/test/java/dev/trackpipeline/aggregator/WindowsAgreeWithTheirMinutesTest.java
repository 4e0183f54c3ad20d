package dev.trackpipeline.aggregator;

import static dev.trackpipeline.aggregator.JunkFlood.APIKEY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.aggregator.metrics.MetricKeys;
import dev.trackpipeline.aggregator.metrics.MetricKeys.Resolution;
import dev.trackpipeline.aggregator.query.MetricWindow;
import dev.trackpipeline.aggregator.query.MetricsReader;
import dev.trackpipeline.aggregator.query.Overview;
import dev.trackpipeline.aggregator.query.TimeSeries;
import dev.trackpipeline.aggregator.query.TopError;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisPooled;

/**
 * A window is read from the coarsest buckets that fit in it (minutes up to the next hour, hours up
 * to the next day, then days): its numbers must be those of its minutes, read one by one, for
 * every window up to a day, and those of its hours for the longer ones, which start at midnight.
 * The real SDK's traffic is sent every 23 minutes over the last 50 hours, so that the windows start
 * and end in every kind of bucket. (Buckets are kept here longer than the defaults keep them, so
 * that there are minutes to compare with.)
 */
class WindowsAgreeWithTheirMinutesTest {

    static final Instant NOW = Instant.parse("2026-05-04T10:30:30Z");
    static final Duration SPREAD = Duration.ofHours(50);
    static final Duration EVERY = Duration.ofMinutes(23);
    static final List<String> MINUTE_WINDOWS = List.of("15m", "1h", "2h", "90m", "6h", "23h", "24h");
    static final List<String> HOUR_WINDOWS = List.of("25h", "48h", "49h", "3d", "7d");

    static final JunkFlood store = new JunkFlood(NOW);
    static final JedisPooled redis = store.redis;
    static final MetricsReader reader = store.reader;

    @BeforeAll
    static void sendTheRealTrafficEveryTwentyThreeMinutes() {
        store.sendRealTrafficEvery(EVERY, NOW.minus(SPREAD), NOW, at -> { });
    }

    @AfterAll
    static void stop() {
        store.close();
    }

    @Test
    void everyWindowCountsWhatItsMinutesCount() {
        for (String text : MINUTE_WINDOWS) {
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
    void windowsStartingAtMidnightCountWhatTheirHoursCount() {
        for (String text : HOUR_WINDOWS) {
            MetricWindow window = MetricWindow.parse(text);
            Overview overview = reader.overview(APIKEY, window, NOW);
            Map<String, Long> counted = sumOf(keysOf(Resolution.HOUR, window.startMillis(NOW), ""));

            assertThat(overview.events()).as(text).isPositive().isEqualTo(counted.get("events"));
            assertThat(overview.byType()).as(text).isEqualTo(prefixed(counted, "type:"));
            assertThat(topErrors(window)).as(text).isEqualTo(sortedSetsOf(keysOf(Resolution.HOUR, window.startMillis(NOW), ":errors")));
        }
    }

    @Test
    void everyStepOfASeriesCountsWhatItsMinutesCount() {
        MetricWindow day = MetricWindow.parse("24h");
        TimeSeries hourly = reader.timeSeries(APIKEY, "events", day, Duration.ofHours(1), "1h", NOW);
        TimeSeries byThreeHours = reader.timeSeries(APIKEY, "events", day, Duration.ofHours(3), "3h", NOW);

        assertThat(hourly.points()).hasSize(24);
        for (TimeSeries series : List.of(hourly, byThreeHours)) {
            assertThat(series.points().stream().mapToLong(TimeSeries.Point::value).sum()).as(series.step())
                    .isEqualTo(reader.overview(APIKEY, day, NOW).events());
        }
        long stepMillis = Duration.ofHours(1).toMillis();
        hourly.points().forEach(point -> {
            long from = Math.max(point.t(), day.startMillis(NOW));
            List<String> minutes = keysBetween(Resolution.MINUTE, from, Math.min(point.t() + stepMillis, NOW.toEpochMilli() + 1), "");
            assertThat(point.value()).as(Instant.ofEpochMilli(point.t()).toString()).isEqualTo(sumOf(minutes).getOrDefault("events", 0L));
        });
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
        hashes.forEach(key -> redis.hgetAll(key).forEach((field, value) -> sum.merge(field, Long.parseLong(value), Long::sum)));
        return sum;
    }

    private static Map<String, Long> sortedSetsOf(List<String> keys) {
        Map<String, Long> sum = new TreeMap<>();
        keys.forEach(key -> redis.zrangeWithScores(key, 0, -1).forEach(tuple -> sum.merge(tuple.getElement(), (long) tuple.getScore(), Long::sum)));
        return sum;
    }

    private static Map<String, Long> prefixed(Map<String, Long> counted, String prefix) {
        return counted.entrySet().stream().filter(field -> field.getKey().startsWith(prefix))
                .collect(Collectors.toMap(field -> field.getKey().substring(prefix.length()), Map.Entry::getValue, Long::sum, TreeMap::new));
    }
}
