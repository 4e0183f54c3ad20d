package dev.trackpipeline.aggregator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** The page caps as an operator sets them: the record has a second constructor, which Spring must not bind. */
class AggregatorPropertiesTest {

    @Test
    void keepsFiftyPagesApartPerMinuteBucketAndTwoHundredPerHourBucketByDefault() {
        AggregatorProperties properties = bind(Map.of());

        assertThat(properties.maxPagesPerMinuteBucket()).isEqualTo(50);
        assertThat(properties.maxPagesPerProject()).isEqualTo(200);
    }

    /** The defaults behind the stated worst case (RedisMemoryBound): each just longer than the oldest bucket a window reads. */
    @Test
    void keepsBucketsJustLongerThanAnyWindowReadsThemAndFiftyGroupsPerMinuteBucketByDefault() {
        AggregatorProperties properties = bind(Map.of());

        assertThat(properties.minuteBucketRetention()).isEqualTo(Duration.ofMinutes(70));
        assertThat(properties.hourBucketRetention()).isEqualTo(Duration.ofHours(24));
        assertThat(properties.dayBucketRetention()).isEqualTo(Duration.ofDays(30));
        assertThat(properties.maxGroupsPerMinuteBucket()).isEqualTo(50);
        assertThat(properties.maxGroupsPerBucket()).isEqualTo(500);
    }

    /** A shorter retention would have windows miss counts without a word: the aggregator does not start. */
    @Test
    void refusesARetentionShorterThanTheOldestBucketAWindowReads() {
        assertThatThrownBy(() -> bind(Map.of("track.aggregator.hour-bucket-retention", "12h")))
                .hasRootCauseMessage("track.aggregator.hour-bucket-retention must be longer than PT23H: windows read hour buckets "
                        + "that old, got PT12H");
        assertThat(bind(Map.of("track.aggregator.minute-bucket-retention", "48h")).minuteBucketRetention()).isEqualTo(Duration.ofHours(48));
    }

    @Test
    void refusesReadSettingsThatWouldAllowNoReadOrAnUnboundedPool() {
        assertThatThrownBy(() -> new AggregatorProperties.Reads(0, Duration.ofSeconds(2), 100))
                .hasMessage("track.aggregator.reads.connections: must be 1 or more, got 0");
        assertThatThrownBy(() -> new AggregatorProperties.Reads(-1, Duration.ofSeconds(2), 100))
                .hasMessage("track.aggregator.reads.connections: must be 1 or more, got -1");
        assertThatThrownBy(() -> new AggregatorProperties.Reads(4, Duration.ofSeconds(2), 0))
                .hasMessage("track.aggregator.reads.slowest-page-candidates: must be 1 or more, got 0");
    }

    /** A single Redis and no waiting for replicas unless asked: what bin/track local runs. */
    @Test
    void countsOnOneRedisServerWithoutWaitingForReplicasByDefault() {
        AggregatorProperties.Redis redis = bind(Map.of()).redis();

        assertThat(redis.cluster()).isFalse();
        assertThat(redis.clusterNodes()).isEmpty();
        assertThat(redis.replicasToAcknowledge()).isZero();
        assertThat(redis.where()).isEqualTo("Redis at 127.0.0.1:6379");
    }

    /** REDIS_CLUSTER_NODES as an environment variable gives one comma-separated string. */
    @Test
    void takesTheNodesOfARedisClusterCommaSeparatedAndHowManyReplicasMustHoldEachBatch() {
        AggregatorProperties.Redis redis = bind(Map.of("track.aggregator.redis.cluster-nodes", "10.0.0.1:7000, 10.0.0.2:7000",
                "track.aggregator.redis.replicas-to-acknowledge", "1", "track.aggregator.redis.replicas-within", "500ms")).redis();

        assertThat(redis.clusterNodes()).containsExactly("10.0.0.1:7000", "10.0.0.2:7000");
        assertThat(redis.replicasToAcknowledge()).isOne();
        assertThat(redis.replicasWithin()).isEqualTo(Duration.ofMillis(500));
        assertThat(redis.where()).isEqualTo("the Redis Cluster at 10.0.0.1:7000,10.0.0.2:7000");
    }

    @Test
    void refusesClusterNodesThatAreNotHostAndPortADatabaseOtherThanZeroOnAClusterAndAWaitWithoutEnd() {
        assertThatThrownBy(() -> bind(Map.of("track.aggregator.redis.cluster-nodes", "10.0.0.1")))
                .hasRootCauseMessage("track.aggregator.redis.cluster-nodes (REDIS_CLUSTER_NODES): each node is host:port, got '10.0.0.1'");
        assertThatThrownBy(() -> bind(Map.of("track.aggregator.redis.cluster-nodes", "10.0.0.1:99999")))
                .hasRootCauseMessage("track.aggregator.redis.cluster-nodes (REDIS_CLUSTER_NODES): each node is host:port, got '10.0.0.1:99999'");
        assertThatThrownBy(() -> bind(Map.of("track.aggregator.redis.cluster-nodes", "10.0.0.1:7000", "track.aggregator.redis.database", "2")))
                .hasRootCauseMessage("track.aggregator.redis.database (REDIS_DB) is 2, but a Redis Cluster has database 0 only: unset "
                        + "it, or unset REDIS_CLUSTER_NODES to use a single server");
        assertThatThrownBy(() -> bind(Map.of("track.aggregator.redis.replicas-to-acknowledge", "-1")))
                .hasRootCauseMessage("track.aggregator.redis.replicas-to-acknowledge (REDIS_WAIT_REPLICAS): 0 or more, got -1");
        assertThatThrownBy(() -> bind(Map.of("track.aggregator.redis.replicas-within", "0s")))
                .hasRootCauseMessage("track.aggregator.redis.replicas-within: more than 0, got PT0S");
    }

    @Test
    void takesEachPageCapFromItsOwnProperty() {
        AggregatorProperties properties = bind(Map.of("track.aggregator.max-pages-per-minute-bucket", "20",
                "track.aggregator.max-pages-per-project", "300"));

        assertThat(properties.maxPagesPerMinuteBucket()).isEqualTo(20);
        assertThat(properties.maxPagesPerProject()).isEqualTo(300);
    }

    private static AggregatorProperties bind(Map<String, String> settings) {
        return new Binder(new MapConfigurationPropertySource(settings)).bindOrCreate("track.aggregator", AggregatorProperties.class);
    }
}
