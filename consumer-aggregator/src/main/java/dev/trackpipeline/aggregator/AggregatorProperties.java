package dev.trackpipeline.aggregator;

import dev.trackpipeline.model.kafka.ConsumerGroups;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param groupId               the aggregator's consumer group
 * @param dedupWindow           how long an event id is remembered, so a client's re-send counts once
 * @param minuteBucketRetention how long per-minute buckets live
 * @param hourBucketRetention   how long per-hour buckets live
 * @param maxPagesPerProject    how many pages of a project get vitals of their own; later ones
 *                              are counted together as {@code (other)}
 */
@ConfigurationProperties("track.aggregator")
public record AggregatorProperties(@DefaultValue(ConsumerGroups.AGGREGATOR) String groupId, @DefaultValue Redis redis,
                                   @DefaultValue("1h") Duration dedupWindow,
                                   @DefaultValue("48h") Duration minuteBucketRetention,
                                   @DefaultValue("30d") Duration hourBucketRetention,
                                   @DefaultValue("500") int maxPagesPerProject) {

    /** Where Redis is, in the seed server's terms (REDIS_HOST, REDIS_PORT, REDIS_PASSWORD, REDIS_DB). */
    public record Redis(@DefaultValue("127.0.0.1") String host, @DefaultValue("6379") int port, String password,
                        @DefaultValue("0") int database) {
    }
}
