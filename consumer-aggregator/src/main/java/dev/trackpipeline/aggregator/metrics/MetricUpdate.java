package dev.trackpipeline.aggregator.metrics;

import dev.trackpipeline.aggregator.metrics.MetricKeys.Bucket;

/**
 * One change to Redis, after which its key expires. A time bucket's key expires at a fixed
 * instant, the bucket's end plus its retention, however early or late it is written and by
 * whichever aggregator: so the windows, which read a bucket up to {@code MetricWindow.oldestRead}
 * after its end, find it for as long as the retention says, and no more buckets are alive than
 * the retention holds (retention ÷ length + 1), even when a consumer catches up or a replay writes
 * them long after their end. Any other key lives {@code ttlSeconds} from its last write.
 *
 * @param argument   the increment (HINCRBY, ZINCRBY), the value (SAMPLE, HMAX, HLATEST, FIRST_DAY)
 *                   or the page (PAGE_HINCRBY); unused by PFADD
 * @param ttlSeconds a bucket's retention, counted from its end; for another key, from the write
 * @param bucket     the time bucket the key belongs to, or null for a key of none
 */
public record MetricUpdate(Operation operation, String key, String field, String argument, long ttlSeconds, Bucket bucket) {

    /** An update of a key of no bucket, which lives {@code ttlSeconds} from its last write. */
    public MetricUpdate(Operation operation, String key, String field, String argument, long ttlSeconds) {
        this(operation, key, field, argument, ttlSeconds, null);
    }

    /** The same update of a key of {@code bucket}. */
    MetricUpdate of(Bucket bucket) {
        return new MetricUpdate(operation, key, field, argument, ttlSeconds, bucket);
    }

    /**
     * When the key's life starts (epoch milliseconds): its bucket's start, or -1 for a key of no
     * bucket, whose life starts at each write. The script counts a bucket that starts after Redis's
     * now (a gateway's clock ahead) from now instead, as if it were the current bucket, so a clock
     * ahead cannot keep a bucket longer than the current one.
     */
    public long lifeStartMillis() {
        return bucket == null ? -1 : bucket.startMillis();
    }

    /** How long the key lives from that start: its bucket's length and its retention, or its TTL. */
    public long lifeMillis() {
        return ttlSeconds * 1000 + (bucket == null ? 0 : bucket.resolution().length().toMillis());
    }

    /**
     * The updates the aggregation script knows. Those named by client text are capped per bucket,
     * since a project's apikey is public: {@code ZINCRBY} counts a member while its bucket names it
     * (a full bucket names a newcomer in place of its lowest-ranked member, whose count moves to
     * {@code (other)}; {@link MetricKeys#RANK_SUFFIX}), else as {@code (other)}; {@code SAMPLE} sets
     * a field once (as HSETNX), only for a group the bucket names ({@link MetricKeys#errorSamples});
     * {@code PAGE_HINCRBY} increments a field of a page's hash (the key is a prefix, the argument
     * the page) if the bucket keeps the page apart, by the same rule and its own page cap, else the
     * same field of {@code (other)}'s hash.
     * {@code HMAX} keeps the larger number, {@code HLATEST} keeps the {@code "<time> <value>"}
     * with the latest time; {@code HINCRBY} and {@code PFADD} are Redis's. {@code FIRST_DAY} names
     * a day (minus its index) the project counted by day: the script records the batch's earliest
     * once, when the project has no first day yet ({@link MetricKeys#dayBuckets}), and never moves it.
     */
    public enum Operation { HINCRBY, PFADD, ZINCRBY, SAMPLE, HMAX, HLATEST, PAGE_HINCRBY, FIRST_DAY }

    static MetricUpdate increment(String key, String field, long ttlSeconds) {
        return new MetricUpdate(Operation.HINCRBY, key, field, "1", ttlSeconds);
    }
}
