package dev.trackpipeline.aggregator;

import static dev.trackpipeline.aggregator.JunkFlood.APIKEY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.aggregator.metrics.MetricKeys;
import dev.trackpipeline.aggregator.metrics.MetricKeys.Resolution;
import dev.trackpipeline.aggregator.query.MetricWindow;
import dev.trackpipeline.aggregator.query.MetricsReader;
import dev.trackpipeline.aggregator.query.TimeSeries;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisPooled;

/**
 * Day buckets are written since 07ec453: the version before wrote minute and hour buckets only.
 * Right after the upgrade, the day in progress holds only what was counted since, and the days
 * before have no bucket at all; a window must still count every event its hours count, reading
 * the hours where a day bucket is not whole. The real SDK's traffic is sent every 23 minutes over
 * the last 8 days, the upgrade falling this morning (UTC).
 */
class WindowsAfterTheDayBucketsUpgradeTest {

    static final Instant NOW = Instant.parse("2026-05-04T10:30:30Z");
    static final Instant UPGRADE = Instant.parse("2026-05-04T06:07:00Z");
    static final Duration SPREAD = Duration.ofDays(8);
    static final Duration EVERY = Duration.ofMinutes(23);

    static final JunkFlood store = new JunkFlood(NOW);
    static final JedisPooled redis = store.redis;
    static final MetricsReader reader = store.reader;

    @BeforeAll
    static void countTheTrafficBeforeTheUpgradeWithoutDayBucketsAndTheRestWithThem() {
        java.util.concurrent.atomic.AtomicBoolean upgraded = new java.util.concurrent.atomic.AtomicBoolean();
        store.sendRealTrafficEvery(EVERY, NOW.minus(SPREAD), NOW, at -> {
            if (!at.isBefore(UPGRADE) && !upgraded.getAndSet(true)) {
                store.flush();
                // What the version before left: no day bucket, nothing of this version's own.
                store.keys("track:{" + APIKEY + "}:d:*").forEach(redis::del);
                store.keys("track:{" + APIKEY + "}:day-buckets*").forEach(redis::del);
            }
        });
    }

    @AfterAll
    static void stop() {
        store.close();
    }

    @Test
    void everyWindowCountsWhatItsHoursCountThoughItsDaysWereNotAllCountedByDay() {
        for (String text : List.of("2h", "24h", "48h", "3d", "7d")) {
            MetricWindow window = MetricWindow.parse(text);

            assertThat(reader.overview(APIKEY, window, NOW).events()).as(text).isPositive()
                    .isEqualTo(eventsBetween(Resolution.HOUR, window.startMillis(NOW), NOW.toEpochMilli() + 1));
        }
    }

    @Test
    void everyDayOfAWeekByTheDayCountsWhatItsHoursCount() {
        MetricWindow week = MetricWindow.parse("7d");
        TimeSeries daily = reader.timeSeries(APIKEY, "events", week, Duration.ofDays(1), "1d", NOW);

        // Today and the six days before it.
        assertThat(daily.points()).hasSize(7);
        daily.points().forEach(point -> assertThat(point.value()).as(Instant.ofEpochMilli(point.t()).toString())
                .isEqualTo(eventsBetween(Resolution.HOUR, Math.max(point.t(), week.startMillis(NOW)),
                        Math.min(point.t() + Duration.ofDays(1).toMillis(), NOW.toEpochMilli() + 1))));
    }

    /** The events the buckets of one resolution counted from {@code fromMillis} (at a bucket's start) to {@code toMillis}. */
    private static long eventsBetween(Resolution resolution, long fromMillis, long toMillis) {
        long length = resolution.length().toMillis();
        return LongStream.range(fromMillis / length, (toMillis + length - 1) / length)
                .mapToObj(bucket -> redis.hget(MetricKeys.counters(APIKEY, resolution, bucket), "events"))
                .filter(java.util.Objects::nonNull).mapToLong(Long::parseLong).sum();
    }
}
