package dev.trackpipeline.aggregator.metrics;

/**
 * One change to Redis, followed by {@code EXPIRE key ttlSeconds} so every key ages out.
 *
 * @param argument        the increment (HINCRBY, ZINCRBY), the value (SAMPLE, HMAX, HLATEST) or the
 *                        page (PAGE_HINCRBY); unused by PFADD
 * @param bucketEndSecond for a time bucket's key, when the bucket ends (epoch seconds): its TTL then
 *                        counts from that end, not from the write ({@link #aged}); 0 for other keys
 */
public record MetricUpdate(Operation operation, String key, String field, String argument, long ttlSeconds, long bucketEndSecond) {

    /** An update whose TTL counts from the write. */
    public MetricUpdate(Operation operation, String key, String field, String argument, long ttlSeconds) {
        this(operation, key, field, argument, ttlSeconds, 0);
    }

    /** The same update of a bucket ending at {@code endSecond}. */
    MetricUpdate ofBucketEndingAt(long endSecond) {
        return new MetricUpdate(operation, key, field, argument, ttlSeconds, endSecond);
    }

    /**
     * The update as written at {@code nowSecond}: a bucket written after its end (a consumer
     * catching up, a replay) lives its retention from its end, as if written in time, so however
     * late buckets are written, no more of them are alive than the retention holds. A TTL of zero
     * or less has the script's EXPIRE delete the key: no window reads a bucket that old.
     */
    public MetricUpdate aged(long nowSecond) {
        if (bucketEndSecond == 0 || nowSecond <= bucketEndSecond) {
            return this;
        }
        return new MetricUpdate(operation, key, field, argument, ttlSeconds - (nowSecond - bucketEndSecond), bucketEndSecond);
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
     * with the latest time; {@code HINCRBY} and {@code PFADD} are Redis's.
     */
    public enum Operation { HINCRBY, PFADD, ZINCRBY, SAMPLE, HMAX, HLATEST, PAGE_HINCRBY }

    static MetricUpdate increment(String key, String field, long ttlSeconds) {
        return new MetricUpdate(Operation.HINCRBY, key, field, "1", ttlSeconds);
    }
}
