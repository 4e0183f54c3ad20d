package dev.trackpipeline.aggregator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.aggregator.AggregatorProperties;
import dev.trackpipeline.aggregator.consume.CountingReader;
import dev.trackpipeline.aggregator.metrics.MetricKeys.Bucket;
import dev.trackpipeline.aggregator.metrics.MetricKeys.Resolution;
import dev.trackpipeline.aggregator.metrics.MetricUpdate.Operation;
import dev.trackpipeline.aggregator.metrics.RedisMetricsStore.PartitionUpdates;
import dev.trackpipeline.aggregator.metrics.RedisMetricsStore.RecordUpdates;
import dev.trackpipeline.aggregator.query.MetricWindow;
import dev.trackpipeline.infra.EmbeddedRedisServer;
import dev.trackpipeline.infra.FreePorts;
import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.model.event.EventValidator;
import dev.trackpipeline.model.fixtures.FixtureRecords;
import dev.trackpipeline.model.fixtures.FixtureRecords.FixtureRecord;
import dev.trackpipeline.model.fixtures.WebSeeFixtures;
import dev.trackpipeline.model.ingest.IngestLimits;
import dev.trackpipeline.model.kafka.EventRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * A bucket expires at its end plus its retention, the instant the retention is measured to
 * ({@code AggregatorProperties} checks it against {@link MetricWindow#oldestRead}, from a bucket's
 * end), however early or late it is written and whichever aggregator writes it; Redis's clock, not
 * an aggregator's, says when that is.
 */
class BucketExpiryTest {

    static final EmbeddedRedisServer server = EmbeddedRedisServer.start(Optional.empty(), "127.0.0.1", FreePorts.one());
    static final JedisPooled redis = new JedisPooled(server.host(), server.port());
    static final AggregatorProperties DEFAULTS = new AggregatorProperties("expiry-test", null, Duration.ofHours(1),
            Duration.ofMinutes(70), Duration.ofHours(24), 2, 1, 2, 3);
    static final Instant NOON = Instant.parse("2026-05-04T12:00:00Z");

    @AfterAll
    static void stop() {
        redis.close();
        server.close();
    }

    @BeforeEach
    void emptyRedis() {
        redis.flushAll();
    }

    /**
     * With the shortest retentions the aggregator accepts (a second over what windows read), a
     * bucket written at its very start still outlives the last instant any window reads it. Were
     * its TTL counted from the write, an accepted hour retention of 23h30m would expire an hour a
     * 24h window still reads, and the window would count 0 for it without a word.
     */
    @Test
    void aBucketWrittenAtItsStartOutlivesTheLastWindowThatReadsItWithTheShortestRetentionAccepted() {
        AggregatorProperties shortest = new AggregatorProperties("expiry-test", null, Duration.ofHours(1),
                MetricWindow.oldestRead(Resolution.MINUTE).plusSeconds(1), MetricWindow.oldestRead(Resolution.HOUR).plusSeconds(1),
                2, 1, 2, 3, MetricWindow.oldestRead(Resolution.DAY).plusSeconds(1), 2, AggregatorProperties.Reads.DEFAULTS);
        for (Resolution resolution : Resolution.values()) {
            Bucket bucket = new Bucket(resolution, resolution.bucketOf(NOON));
            Instant start = Instant.ofEpochMilli(bucket.startMillis());
            MetricWindow longest = MetricWindow.parse(switch (resolution) {
                case MINUTE -> "1h";
                case HOUR -> "24h";
                case DAY -> "30d";
            });
            Instant lastRead = start.plus(longest.length()).minusMillis(1);
            assertThat(longest.cover(lastRead)).as("%s: the %s window's last read", resolution, longest.text()).contains(bucket);
            assertThat(longest.cover(lastRead.plusMillis(1))).doesNotContain(bucket);
            String key = MetricKeys.counters("shop", resolution, bucket.index());
            KeyExpiries expiries = KeyExpiries.inTimeOf(redis, start);

            apply(storeAt(start, shortest), new MetricUpdate(Operation.HINCRBY, key, "events", "1", retention(shortest, resolution).toSeconds(),
                    bucket));

            expiries.assertExpiresAt(key, Instant.ofEpochMilli(bucket.endMillis()).plus(retention(shortest, resolution)));
            assertThat(Instant.ofEpochMilli(bucket.endMillis()).plus(retention(shortest, resolution))).isAfter(lastRead);
        }
    }

    /** As EventCounts marks them: every key of an event's minute bucket expires at the minute's end plus 70 minutes. */
    @Test
    void everyKeyOfAnEventsBucketExpiresAtTheBucketsEndPlusItsRetention() {
        Instant receivedAt = NOON.plusSeconds(30);
        FixtureRecord fixture = FixtureRecords.of(WebSeeFixtures.load().first("error"), receivedAt);
        EventRecord record = CountingReader.of(new EventValidator(new EventFamilies()), IngestLimits.DEFAULTS)
                .read(name -> Optional.ofNullable(fixture.headers().get(name)), fixture.value());
        long minute = Resolution.MINUTE.bucketOf(receivedAt);
        KeyExpiries expiries = KeyExpiries.inTimeOf(redis, receivedAt);

        new RedisMetricsStore(redis, DEFAULTS, new SimpleMeterRegistry(), Clock.fixed(receivedAt, ZoneOffset.UTC))
                .apply(List.of(new PartitionUpdates("track.error", 0, List.of(new RecordUpdates(1, record.apikey(), record.eventId(),
                        new EventCounts(DEFAULTS).of(record))))));

        List<String> keys = RedisKeys.matching(redis, MetricKeys.bucketsPrefix(record.apikey(), Resolution.MINUTE) + minute + "*");
        assertThat(keys).contains(MetricKeys.counters(record.apikey(), Resolution.MINUTE, minute),
                MetricKeys.errorGroups(record.apikey(), Resolution.MINUTE, minute));
        keys.forEach(key -> expiries.assertExpiresAt(key, NOON.plus(Duration.ofMinutes(71))));
    }

    /**
     * Another aggregator, its clock 75 minutes ahead, counts an event of the minute the others are
     * filling: Redis's clock says the minute is current, so it is neither deleted nor shortened.
     */
    @Test
    void anAggregatorWhoseClockRunsAheadNeitherDeletesNorShortensTheBucketOthersFill() {
        Instant now = Instant.ofEpochMilli(KeyExpiries.redisMillis(redis));
        long minute = Resolution.MINUTE.bucketOf(now);
        String key = MetricKeys.counters("skew", Resolution.MINUTE, minute);
        MetricUpdate update = new MetricUpdate(Operation.HINCRBY, key, "events", "1", 4200, new Bucket(Resolution.MINUTE, minute));
        KeyExpiries expiries = KeyExpiries.inRedisTime(redis);

        apply(storeByRedisClock(now), update, update);
        apply(storeByRedisClock(now.plus(Duration.ofMinutes(75))), update);

        assertThat(redis.hget(key, "events")).isEqualTo("3");
        expiries.assertExpiresAt(key, Instant.ofEpochMilli((minute + 1) * 60_000).plus(Duration.ofMinutes(70)));
    }

    /**
     * A bucket already past its retention by Redis's clock (a consumer catching up, a replay) is not
     * written at all, names included, rather than written and deleted; the records still count as
     * applied and the marker moves.
     */
    @Test
    void aBucketPastItsRetentionIsNotWrittenAndItsRecordsAreStillApplied() {
        Instant now = Instant.ofEpochMilli(KeyExpiries.redisMillis(redis));
        Bucket past = new Bucket(Resolution.MINUTE, Resolution.MINUTE.bucketOf(now.minus(Duration.ofMinutes(72))));
        String counters = MetricKeys.counters("late", Resolution.MINUTE, past.index());

        long applied = storeByRedisClock(now).apply(List.of(new PartitionUpdates("t", 0, List.of(new RecordUpdates(7, "late", "a", List.of(
                new MetricUpdate(Operation.HINCRBY, counters, "events", "1", 4200, past),
                new MetricUpdate(Operation.ZINCRBY, MetricKeys.errorGroups("late", Resolution.MINUTE, past.index()), "fp", "1", 4200, past),
                new MetricUpdate(Operation.PAGE_HINCRBY, MetricKeys.pageVitalsPrefix("late", Resolution.MINUTE, past.index()), "views", "/",
                        4200, past))))))).get(0);

        assertThat(applied).isEqualTo(1);
        assertThat(RedisKeys.matching(redis, MetricKeys.bucketsPrefix("late", Resolution.MINUTE) + "*")).isEmpty();
        assertThat(redis.hget(MetricKeys.progress("late", "expiry-test"), "t:0")).isEqualTo("7");
    }

    /** A gateway whose clock is ahead names a bucket that has not begun: it lives as long as the current one at most. */
    @Test
    void aBucketThatHasNotBegunLivesNoLongerThanTheCurrentOne() {
        Bucket tomorrow = new Bucket(Resolution.MINUTE, Resolution.MINUTE.bucketOf(NOON.plus(Duration.ofDays(1))));
        String key = MetricKeys.counters("ahead", Resolution.MINUTE, tomorrow.index());
        KeyExpiries expiries = KeyExpiries.inTimeOf(redis, NOON);

        apply(storeAt(NOON, DEFAULTS), new MetricUpdate(Operation.HINCRBY, key, "events", "1", 4200, tomorrow));

        expiries.assertExpiresAt(key, NOON.plus(Duration.ofMinutes(71)));
    }

    /**
     * Reading Redis's clock before writing is allowed only when a script's writes are replicated as
     * effects: Redis 7's one mode and 6.2's default, which the script asks for in case a 6.2 was
     * configured to replicate scripts verbatim.
     */
    @Test
    void countsByRedisClockWhereScriptsWereSetToReplicateVerbatim() {
        try {
            redis.configSet("lua-replicate-commands", "no");
        } catch (JedisDataException effectsOnly) {
            Assumptions.abort("a Redis 7 replicates scripts as effects only: " + effectsOnly.getMessage());
        }
        try {
            Instant now = Instant.ofEpochMilli(KeyExpiries.redisMillis(redis));
            long minute = Resolution.MINUTE.bucketOf(now);
            String key = MetricKeys.counters("verbatim", Resolution.MINUTE, minute);

            apply(storeByRedisClock(now), new MetricUpdate(Operation.HINCRBY, key, "events", "1", 4200, new Bucket(Resolution.MINUTE, minute)));

            assertThat(redis.hget(key, "events")).isEqualTo("1");
        } finally {
            redis.configSet("lua-replicate-commands", "yes");
        }
    }

    private static Duration retention(AggregatorProperties properties, Resolution resolution) {
        return switch (resolution) {
            case MINUTE -> properties.minuteBucketRetention();
            case HOUR -> properties.hourBucketRetention();
            case DAY -> properties.dayBucketRetention();
        };
    }

    private static RedisMetricsStore storeAt(Instant now, AggregatorProperties properties) {
        return new RedisMetricsStore(redis, properties, new SimpleMeterRegistry(), Clock.fixed(now, ZoneOffset.UTC));
    }

    /** An aggregator whose own clock says {@code now}, which decides expiries by Redis's clock, as in production. */
    private static RedisMetricsStore storeByRedisClock(Instant now) {
        return new RedisMetricsStore(redis, DEFAULTS, new SimpleMeterRegistry(), Clock.fixed(now, ZoneOffset.UTC), apikey -> 0,
                Optional.empty());
    }

    private long offset;

    /** One record per update, all of one batch. */
    private void apply(RedisMetricsStore store, MetricUpdate... updates) {
        List<RecordUpdates> records = java.util.Arrays.stream(updates)
                .map(update -> new RecordUpdates(++offset, "shop", "event-" + offset, List.of(update))).toList();
        store.apply(List.of(new PartitionUpdates("t", 0, records)));
    }
}
