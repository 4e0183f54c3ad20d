package dev.trackpipeline.aggregator.metrics;

/**
 * A batch's writes reached fewer replicas than {@code track.aggregator.redis.replicas-to-acknowledge}
 * asks within its time. They may stand, or be lost with their master: the batch's offsets are not
 * committed, and it is applied again, which its progress markers make safe (what stood is found
 * applied, and waited on once more). An outage: the aggregator waits it out.
 */
public final class ReplicasBehindException extends RuntimeException {

    public ReplicasBehindException(String message) {
        super(message);
    }
}
