package dev.trackpipeline.aggregator.metrics;

/**
 * One change to Redis: {@code HINCRBY key field amount} or {@code PFADD key field}, followed by
 * {@code EXPIRE key ttlSeconds} so every key ages out.
 */
public record MetricUpdate(Operation operation, String key, String field, long amount, long ttlSeconds) {

    public enum Operation { HINCRBY, PFADD }
}
