package dev.trackpipeline.aggregator.metrics;

/**
 * One change to Redis, followed by {@code EXPIRE key ttlSeconds} so every key ages out.
 *
 * @param argument the increment (HINCRBY, ZINCRBY) or the value (HSETNX); unused by PFADD
 */
public record MetricUpdate(Operation operation, String key, String field, String argument, long ttlSeconds) {

    /**
     * The updates the aggregation script knows: Redis commands, and three of its own:
     * {@code HMAX} keeps the larger number, {@code HLATEST} keeps the {@code "<time> <value>"}
     * with the latest time, {@code PAGE_HINCRBY} increments a field of a page's hash (the key is
     * a prefix, the argument the page).
     */
    public enum Operation { HINCRBY, PFADD, ZINCRBY, HSETNX, HMAX, HLATEST, PAGE_HINCRBY }

    static MetricUpdate increment(String key, String field, long ttlSeconds) {
        return new MetricUpdate(Operation.HINCRBY, key, field, "1", ttlSeconds);
    }
}
