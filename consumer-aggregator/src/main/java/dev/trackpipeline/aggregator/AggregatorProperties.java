package dev.trackpipeline.aggregator;

import dev.trackpipeline.model.kafka.ConsumerGroups;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Every bucket and the dedup ring are capped, since a project's apikey is public and anyone can
 * send it anything: what a project keeps in Redis is bounded by these numbers, not by its traffic.
 *
 * @param groupId               the aggregator's consumer group
 * @param dedupWindow           how long an event id is remembered, so a client's re-send counts once
 * @param minuteBucketRetention how long per-minute buckets live
 * @param hourBucketRetention   how long per-hour buckets live
 * @param maxPagesPerProject    how many pages get vitals of their own in one bucket of a project
 *                              (first come, first kept); later ones are counted together as {@code (other)}
 * @param maxGroupsPerBucket    how many error groups (each with a sample) and how many failing
 *                              requests one bucket of a project names (first come, first kept);
 *                              later ones are counted together as {@code (other)}
 * @param dedupIdsPerSlice      how many event ids of one project are remembered per twelfth of the
 *                              dedup window (5 minutes of the default hour); a re-send of an event
 *                              counted beyond that is counted again, and
 *                              {@code track_aggregator_dedup_unremembered_total} says how many were
 */
@ConfigurationProperties("track.aggregator")
public record AggregatorProperties(@DefaultValue(ConsumerGroups.AGGREGATOR) String groupId, @DefaultValue Redis redis,
                                   @DefaultValue("1h") Duration dedupWindow,
                                   @DefaultValue("48h") Duration minuteBucketRetention,
                                   @DefaultValue("30d") Duration hourBucketRetention,
                                   @DefaultValue("500") int maxPagesPerProject,
                                   @DefaultValue("500") int maxGroupsPerBucket,
                                   @DefaultValue("10000") int dedupIdsPerSlice) {

    /** Where Redis is, in the seed server's terms (REDIS_HOST, REDIS_PORT, REDIS_PASSWORD, REDIS_DB). */
    public record Redis(@DefaultValue("127.0.0.1") String host, @DefaultValue("6379") int port, String password,
                        @DefaultValue("0") int database) {
    }
}
