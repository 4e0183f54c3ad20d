package dev.trackpipeline.aggregator;

import static dev.trackpipeline.aggregator.JunkFlood.APIKEY;
import static dev.trackpipeline.aggregator.JunkFlood.REAL;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.aggregator.metrics.EventCounts;
import dev.trackpipeline.aggregator.metrics.MetricKeys;
import dev.trackpipeline.aggregator.metrics.MetricKeys.Resolution;
import dev.trackpipeline.aggregator.metrics.RedisMetricsStore;
import dev.trackpipeline.aggregator.metrics.RedisMetricsStore.PartitionUpdates;
import dev.trackpipeline.aggregator.metrics.RedisMetricsStore.RecordUpdates;
import dev.trackpipeline.aggregator.query.MetricWindow;
import dev.trackpipeline.aggregator.query.MetricsReader;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import redis.clients.jedis.JedisPooled;

/**
 * An aggregator upgraded from the retentions before (minute buckets 48 h, hour buckets 30 d) to
 * the defaults (70 min, 24 h, 30 d): the buckets written before keep the TTL they were given and
 * expire by it, those written since (the hour and the day of the upgrade among them) take the new
 * one, no key is left without a TTL, and every window still counts what its buckets counted. The
 * real SDK's traffic is sent every 23 minutes over two days, the upgrade falling at 06:07 today.
 */
class ShorterRetentionsUpgradeTest {

    static final Instant NOW = Instant.parse("2026-05-04T10:30:30Z");
    static final Instant UPGRADE = Instant.parse("2026-05-04T06:07:00Z");
    static final Duration EVERY = Duration.ofMinutes(23);
    static final AggregatorProperties DEFAULTS = new Binder(new MapConfigurationPropertySource(Map.of()))
            .bindOrCreate("track.aggregator", AggregatorProperties.class);

    /** Counts with the retentions before, as JunkFlood.PROPERTIES has them. */
    static final JunkFlood before = new JunkFlood(NOW);
    static final JedisPooled redis = before.redis;
    static final RedisMetricsStore after = new RedisMetricsStore(redis, DEFAULTS, new SimpleMeterRegistry(), Clock.fixed(NOW, ZoneOffset.UTC));
    static final EventCounts countsAfter = new EventCounts(DEFAULTS);

    @BeforeAll
    static void countTwoDaysOfTrafficTheUpgradeFallingThisMorning() {
        long offset = 0;
        int visits = 0;
        for (Instant at = NOW.minus(Duration.ofDays(2)); !at.isAfter(NOW); at = at.plus(EVERY), visits++) {
            long shift = (visits + 1) * 1_000L;
            Instant receivedAt = at;
            if (at.isBefore(UPGRADE)) {
                REAL.forEach(request -> before.send(before.read(JunkFlood.later(request, shift), receivedAt)));
                before.flush();
            } else {
                List<RecordUpdates> records = new ArrayList<>();
                for (var request : REAL) {
                    var record = before.read(JunkFlood.later(request, shift), receivedAt);
                    records.add(new RecordUpdates(++offset, record.apikey(), record.eventId(), countsAfter.of(record)));
                }
                after.apply(List.of(new PartitionUpdates("track.after-upgrade", 0, records)));
            }
        }
    }

    @AfterAll
    static void stop() {
        before.close();
    }

    @Test
    void everyKeyHasATtlAndNoneWrittenSinceTheUpgradeOutlivesItsNewRetention() {
        List<String> keys = before.keys("*");

        assertThat(keys).isNotEmpty().allSatisfy(key -> assertThat(redis.ttl(key)).as(key).isPositive());
        long upgradeMinute = Resolution.MINUTE.bucketOf(UPGRADE);
        assertThat(keys).filteredOn(key -> minuteOf(key) >= upgradeMinute).isNotEmpty()
                .allSatisfy(key -> assertThat(redis.ttl(key)).as(key).isLessThanOrEqualTo(DEFAULTS.minuteBucketRetention().toSeconds()));
        // Those before it keep the old retention, counted from each bucket's end.
        assertThat(keys).filteredOn(key -> minuteOf(key) >= 0 && minuteOf(key) < upgradeMinute).isNotEmpty()
                .allSatisfy(key -> assertThat(redis.ttl(key)).as(key).isLessThanOrEqualTo(JunkFlood.PROPERTIES.minuteBucketRetention().toSeconds()))
                .anySatisfy(key -> assertThat(redis.ttl(key)).as(key).isGreaterThan(DEFAULTS.minuteBucketRetention().toSeconds()));
        // The hour of the upgrade was written last with the new retention, the one before with the old.
        long upgradeHour = Resolution.HOUR.bucketOf(UPGRADE);
        assertThat(redis.ttl(MetricKeys.counters(APIKEY, Resolution.HOUR, upgradeHour))).isPositive()
                .isLessThanOrEqualTo(DEFAULTS.hourBucketRetention().toSeconds());
        assertThat(redis.ttl(MetricKeys.counters(APIKEY, Resolution.HOUR, upgradeHour - 1)))
                .isGreaterThan(DEFAULTS.hourBucketRetention().toSeconds());
    }

    @Test
    void everyWindowCountsWhatItsBucketsCountedBeforeAndAfterTheUpgrade() {
        for (String text : List.of("1h", "6h", "24h", "48h", "3d")) {
            MetricWindow window = MetricWindow.parse(text);
            Resolution counted = window.resolution() == Resolution.MINUTE ? Resolution.MINUTE : Resolution.HOUR;

            assertThat(reader().overview(APIKEY, window, NOW).events()).as(text).isPositive()
                    .isEqualTo(eventsBetween(counted, window.startMillis(NOW), NOW.toEpochMilli() + 1));
        }
        // The day buckets, which the longer windows read, agree with the hours across the upgrade.
        long threeDays = MetricWindow.parse("3d").startMillis(NOW);
        assertThat(eventsBetween(Resolution.DAY, threeDays, NOW.toEpochMilli() + 1))
                .isEqualTo(eventsBetween(Resolution.HOUR, threeDays, NOW.toEpochMilli() + 1));
    }

    private static MetricsReader reader() {
        return before.reader;
    }

    /** The minute bucket a key belongs to, -1 for keys of no minute bucket. */
    private static long minuteOf(String key) {
        String prefix = MetricKeys.bucketsPrefix(APIKEY, Resolution.MINUTE);
        return key.startsWith(prefix) ? Long.parseLong(key.substring(prefix.length()).replaceFirst(":.*", "")) : -1;
    }

    /** The events the buckets of one resolution counted from {@code fromMillis} (at a bucket's start) to {@code toMillis}. */
    private static long eventsBetween(Resolution resolution, long fromMillis, long toMillis) {
        long length = resolution.length().toMillis();
        return LongStream.range(fromMillis / length, (toMillis + length - 1) / length)
                .mapToObj(bucket -> redis.hget(MetricKeys.counters(APIKEY, resolution, bucket), "events"))
                .filter(java.util.Objects::nonNull).mapToLong(Long::parseLong).sum();
    }
}
