package dev.trackpipeline.aggregator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.aggregator.metrics.DedupIds;
import dev.trackpipeline.aggregator.metrics.DedupRing;
import dev.trackpipeline.aggregator.metrics.MetricKeys;
import dev.trackpipeline.aggregator.metrics.MetricKeys.Resolution;
import dev.trackpipeline.aggregator.metrics.RedisMemoryBound;
import dev.trackpipeline.aggregator.query.MetricWindow;
import dev.trackpipeline.infra.EmbeddedRedisServer;
import dev.trackpipeline.infra.FreePorts;
import dev.trackpipeline.model.project.Project;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import redis.clients.jedis.JedisPooled;

/**
 * A project's worst case in Redis, measured on a real redis-server: a few buckets of each kind
 * filled to every cap of the default settings ({@link AttackerFilledBuckets#fillEveryCap}), what
 * each took of {@code used_memory}, and one dedup ring slot full at the default rate limit. The
 * figures of {@link RedisMemoryBound} must hold for each, so its total (the buckets alive at once
 * times their worst case, and the ring) is a true bound, and with the defaults it must stay what
 * the docs state. Filling a whole retention would take over half a gigabyte here for the same
 * per-bucket figures.
 */
class WorstCaseRedisMemoryTest {

    static final String APIKEY = "flooded";
    static final int FILLED_PER_KIND = 3;
    static final AggregatorProperties DEFAULTS = new Binder(new MapConfigurationPropertySource(Map.of()))
            .bindOrCreate("track.aggregator", AggregatorProperties.class);

    static final EmbeddedRedisServer server = EmbeddedRedisServer.start(Optional.empty(), "127.0.0.1", FreePorts.one());
    static final JedisPooled redis = new JedisPooled(server.host(), server.port());
    static long minuteBucketBytes;
    static long hourBucketBytes;
    static long dayBucketBytes;
    static long dedupIdBytes;

    @BeforeAll
    static void fillBucketsOfEachKindAndARingSlotToEveryCap() {
        minuteBucketBytes = perBucket(Resolution.MINUTE, DEFAULTS.maxPagesPerMinuteBucket(), DEFAULTS.maxGroupsPerMinuteBucket());
        hourBucketBytes = perBucket(Resolution.HOUR, DEFAULTS.maxPagesPerProject(), DEFAULTS.maxGroupsPerBucket());
        dayBucketBytes = perBucket(Resolution.DAY, DEFAULTS.maxPagesPerProject(), DEFAULTS.maxGroupsPerBucket());
        int room = new DedupRing(DEFAULTS.dedupWindow(), DEFAULTS.dedupIdsPerSlice()).roomFor(Project.RateLimit.DEFAULT.eventsPerSecond());
        long before = usedMemory();
        try (var pipeline = redis.pipelined()) {
            String slot = MetricKeys.dedupSlot(APIKEY, 0);
            for (int first = 0; first < room; first += 1_000) {
                String[] ids = new String[Math.min(1_000, room - first)];
                for (int id = 0; id < ids.length; id++) {
                    ids[id] = DedupIds.of("event-" + (first + id));
                }
                pipeline.sadd(slot, ids);
            }
            pipeline.expire(slot, 3_900);
            pipeline.sync();
        }
        dedupIdBytes = (usedMemory() - before + room - 1) / room;
        System.out.printf("Every cap full (Redis %s): a minute bucket %,d bytes, an hour bucket %,d, a day bucket %,d; a dedup id %d "
                        + "(%,d a slot); with the defaults at most %,d bytes a project%n", redis.info("server").lines()
                        .filter(line -> line.startsWith("redis_version:")).findFirst().orElse("?"), minuteBucketBytes, hourBucketBytes,
                dayBucketBytes, dedupIdBytes, room, RedisMemoryBound.bytesPerProject(DEFAULTS, Project.RateLimit.DEFAULT.eventsPerSecond()));
    }

    @AfterAll
    static void stop() {
        redis.close();
        server.close();
    }

    @Test
    void aBucketWithEveryCapFullTakesNoMoreThanTheBoundSays() {
        assertThat(minuteBucketBytes).isPositive().isLessThanOrEqualTo(RedisMemoryBound.MINUTE_BUCKET_BYTES);
        assertThat(hourBucketBytes).isPositive().isLessThanOrEqualTo(RedisMemoryBound.HOUR_OR_DAY_BUCKET_BYTES);
        assertThat(dayBucketBytes).isPositive().isLessThanOrEqualTo(RedisMemoryBound.HOUR_OR_DAY_BUCKET_BYTES);
    }

    @Test
    void aRememberedEventIdTakesNoMoreThanTheBoundSays() {
        assertThat(dedupIdBytes).isPositive().isLessThanOrEqualTo(RedisMemoryBound.DEDUP_ID_BYTES);
    }

    @Test
    void aProjectWithTheDefaultsHoldsAtMostWhatTheDocsStateUnderThreeQuartersOfAGigabyte() {
        long measured = RedisMemoryBound.liveBuckets(DEFAULTS.minuteBucketRetention(), Resolution.MINUTE) * minuteBucketBytes
                + RedisMemoryBound.liveBuckets(DEFAULTS.hourBucketRetention(), Resolution.HOUR) * hourBucketBytes
                + RedisMemoryBound.liveBuckets(DEFAULTS.dayBucketRetention(), Resolution.DAY) * dayBucketBytes
                + 13L * new DedupRing(DEFAULTS.dedupWindow(), DEFAULTS.dedupIdsPerSlice())
                .roomFor(Project.RateLimit.DEFAULT.eventsPerSecond()) * dedupIdBytes;

        assertThat(measured).isLessThanOrEqualTo(RedisMemoryBound.bytesPerProject(DEFAULTS, Project.RateLimit.DEFAULT.eventsPerSecond()));
        assertThat(RedisMemoryBound.bytesPerProject(DEFAULTS, Project.RateLimit.DEFAULT.eventsPerSecond()))
                .isEqualTo(RedisMemoryBound.STATED_PER_PROJECT_WITH_DEFAULTS).isLessThan(750_000_000L);
    }

    /**
     * The fill's samples are as large as any title makes them: a title shows what it cannot show
     * as U+FFFD, so no character, however JSON or UTF-8 writes it, takes more than the fill's.
     */
    @Test
    void noErrorMessageMakesALargerSampleThanTheFillsWhateverItsCharacters() {
        long filled = bytes(AttackerFilledBuckets.errorSample(AttackerFilledBuckets.WORST_MESSAGE));
        for (String character : List.of("\u0001", "\u001F", "\u007F", "\u0085", "\u200B", "\u202E", "\uFEFF", "\u2028", "\"", "\\",
                "<", AttackerFilledBuckets.WIDE, "\uFFFD", "\uD83D\uDE00", "\uD800", "\uDC00")) {
            // Between letters: a message is trimmed of controls at its ends.
            String sample = AttackerFilledBuckets.errorSample("a" + character.repeat(300) + "b");

            assertThat(bytes(sample)).as("a sample of %s", sample).isLessThanOrEqualTo(filled);
        }
        assertThat(filled).isEqualTo(bytes(AttackerFilledBuckets.errorSample(AttackerFilledBuckets.WIDE.repeat(300))));
    }

    private static long bytes(String text) {
        return text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    /** The buckets alive at once are those the oldest window still reads, and the current one: 71 minutes, 25 hours, 31 days. */
    @Test
    void keepsEachResolutionJustLongerThanTheOldestBucketAWindowReads() {
        for (Resolution resolution : Resolution.values()) {
            java.time.Duration retention = switch (resolution) {
                case MINUTE -> DEFAULTS.minuteBucketRetention();
                case HOUR -> DEFAULTS.hourBucketRetention();
                case DAY -> DEFAULTS.dayBucketRetention();
            };
            assertThat(retention).as(resolution.name()).isGreaterThan(MetricWindow.oldestRead(resolution));
        }
        assertThat(RedisMemoryBound.liveBuckets(DEFAULTS.minuteBucketRetention(), Resolution.MINUTE)).isEqualTo(71);
        assertThat(RedisMemoryBound.liveBuckets(DEFAULTS.hourBucketRetention(), Resolution.HOUR)).isEqualTo(25);
        assertThat(RedisMemoryBound.liveBuckets(DEFAULTS.dayBucketRetention(), Resolution.DAY)).isEqualTo(31);
    }

    /** The most any of {@value #FILLED_PER_KIND} buckets of a resolution filled to every cap took of used_memory. */
    private static long perBucket(Resolution resolution, int pages, int groups) {
        long largest = 0;
        for (int bucket = 0; bucket < FILLED_PER_KIND; bucket++) {
            long before = usedMemory();
            AttackerFilledBuckets.fillEveryCap(redis, APIKEY, resolution, 1_000 + bucket, pages, groups);
            largest = Math.max(largest, usedMemory() - before);
        }
        return largest;
    }

    private static long usedMemory() {
        return redis.info("memory").lines().filter(line -> line.startsWith("used_memory:"))
                .mapToLong(line -> Long.parseLong(line.substring("used_memory:".length()).trim())).findFirst().orElseThrow();
    }
}
