package dev.trackpipeline.aggregator.metrics;

/**
 * One change to Redis, followed by {@code EXPIRE key ttlSeconds} so every key ages out.
 *
 * @param argument the increment (HINCRBY, ZINCRBY) or the value (HSETNX); unused by PFADD
 */
public record MetricUpdate(Operation operation, String key, String field, String argument, long ttlSeconds) {

    /** The Redis commands the aggregation script knows. */
    public enum Operation { HINCRBY, PFADD, ZINCRBY, HSETNX }

    static MetricUpdate increment(String key, String field, long ttlSeconds) {
        return new MetricUpdate(Operation.HINCRBY, key, field, "1", ttlSeconds);
    }
}
