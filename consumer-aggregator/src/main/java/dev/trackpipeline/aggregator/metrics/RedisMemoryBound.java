package dev.trackpipeline.aggregator.metrics;

import dev.trackpipeline.aggregator.AggregatorProperties;
import dev.trackpipeline.aggregator.metrics.MetricKeys.Resolution;
import java.time.Duration;

/**
 * The most one project can hold in Redis, whatever anyone holding its public apikey sends: every
 * bucket it keeps alive filled to every cap, and its dedup ring full at its rate limit. The
 * operator's {@code maxmemory} follows from it (docs/redis-memory.md), and
 * {@code WorstCaseRedisMemoryTest} fills buckets that way on a real redis-server and checks the
 * figures here hold.
 *
 * <p>A bucket expires at its end plus its retention ({@link MetricUpdate}), however early or late
 * it is written (a consumer catching up, a replay), by Redis's clock; one already past that is not
 * written, and one that has not begun (a gateway's clock ahead) lives no longer than the current
 * one. So at most retention ÷ bucket length + 1 buckets of each resolution are alive at once (the
 * current one included): with the defaults 71 minute, 25 hour and 31 day buckets.
 */
public final class RedisMemoryBound {

    /**
     * A minute bucket with every cap of the defaults full: 50 pages (each hash at its 485 fields)
     * and {@code (other)}'s, 50 error groups with samples of the longest titles, each character of 3
     * bytes (a title shows a control, which JSON would escape in 6, as U+FFFD), 50 failing
     * requests, every name of the most characters allowed and each of 3 bytes, their ranks and
     * {@code (other)}, every bucket of the fine scale in each vital's histogram and in resource
     * durations and every coarse one, a dense sessions sketch, every counter. Measured 1,403,872
     * bytes of {@code used_memory} with Redis 6.2 and 1,606,624 with 7.0; rounded up.
     */
    public static final long MINUTE_BUCKET_BYTES = 1_650_000;
    /**
     * An hour or a day bucket at every cap of the defaults: as a minute bucket, with 200 pages and
     * 500 error groups and failing requests. Measured 4,199,120 bytes with Redis 6.2 and 4,339,704
     * with 7.0; rounded up.
     */
    public static final long HOUR_OR_DAY_BUCKET_BYTES = 4_450_000;
    /**
     * One id ({@link DedupIds}) of a full dedup ring slot at the default rate limit (300,000 ids):
     * measured 69 bytes with Redis 6.2 and 86 with 7.0 (the set's table included); rounded up.
     */
    public static final long DEDUP_ID_BYTES = 88;
    /**
     * What the docs state as a project's worst case with the default settings and rate limit
     * (1,000 events/s), {@link #bytesPerProject} of them: 71 minute buckets × 1.65 MB + (25 hour +
     * 31 day buckets) × 4.45 MB + 13 slots × 300,000 ids × 88 bytes = 117.15 + 249.2 + 343.2 MB.
     */
    public static final long STATED_PER_PROJECT_WITH_DEFAULTS = 709_550_000L;

    private RedisMemoryBound() {
    }

    /** How many buckets of a resolution are alive at once at most, the current one included. */
    public static long liveBuckets(Duration retention, Resolution resolution) {
        long length = resolution.length().toSeconds();
        return (retention.toSeconds() + length - 1) / length + 1;
    }

    /** A project's worst case with the default caps and these retentions and dedup room. */
    public static long bytesPerProject(AggregatorProperties properties, int eventsPerSecond) {
        DedupRing ring = new DedupRing(properties.dedupWindow(), properties.dedupIdsPerSlice());
        return liveBuckets(properties.minuteBucketRetention(), Resolution.MINUTE) * MINUTE_BUCKET_BYTES
                + (liveBuckets(properties.hourBucketRetention(), Resolution.HOUR)
                + liveBuckets(properties.dayBucketRetention(), Resolution.DAY)) * HOUR_OR_DAY_BUCKET_BYTES
                + (long) ring.slots() * ring.roomFor(eventsPerSecond) * DEDUP_ID_BYTES;
    }
}
