package dev.trackpipeline.aggregator.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.trackpipeline.aggregator.AggregatorProperties;
import dev.trackpipeline.infra.EmbeddedRedisServer;
import dev.trackpipeline.infra.FreePorts;
import dev.trackpipeline.runtime.StartRequirement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisPooled;

/**
 * REDIS_WAIT_REPLICAS asked of a single real redis-server, with and without a real replica
 * following it; a Redis Cluster's masters are asked in RedisClusterCountingTest.
 */
class RedisReplicasTest {

    final int port = FreePorts.one();
    final EmbeddedRedisServer server = EmbeddedRedisServer.start(Optional.empty(), "127.0.0.1", port);
    final JedisPooled redis = new JedisPooled("127.0.0.1", port);

    @AfterEach
    void stop() {
        redis.close();
        server.close();
    }

    @Test
    void withoutReplicasAskedForNothingIsAskedOfRedis() throws Exception {
        int nobody = FreePorts.one();

        assertThat(replicas(nobody, 0, DefaultJedisClientConfig.builder().build()).unmet()).isEmpty();
    }

    @Test
    void aServerWithTheReplicasAskedForMeetsTheRequirement() throws Exception {
        int replicaPort = FreePorts.one();
        try (EmbeddedRedisServer replica = EmbeddedRedisServer.start(Optional.empty(), "127.0.0.1", replicaPort);
             Jedis follower = new Jedis("127.0.0.1", replicaPort)) {
            follower.replicaof("127.0.0.1", port);

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(replicas(port, 1, DefaultJedisClientConfig.builder().build()).unmet()).isEmpty());
        }
    }

    /** A single server tells only of its connected replicas: fewer may be a replica away for a moment, so it is waited for. */
    @Test
    void aServerWithFewerReplicasConnectedLeavesTheQuestionOpenNamingTheSetting() {
        assertThatThrownBy(() -> replicas(port, 1, DefaultJedisClientConfig.builder().build()).unmet())
                .isInstanceOf(StartRequirement.Unanswered.class)
                .hasMessage("Redis at 127.0.0.1:" + port + " has 0 replicas connected, fewer than the 1 REDIS_WAIT_REPLICAS "
                        + "(track.aggregator.redis.replicas-to-acknowledge) asks for: every batch waits until enough are; if it has no "
                        + "more, lower REDIS_WAIT_REPLICAS");
    }

    @Test
    void aRedisThatDoesNotAnswerLeavesTheQuestionOpen() {
        int nobody = FreePorts.one();

        assertThatThrownBy(() -> replicas(nobody, 1, DefaultJedisClientConfig.builder().build()).unmet())
                .isInstanceOf(StartRequirement.Unanswered.class).hasMessageStartingWith("Redis at 127.0.0.1:" + nobody + " did not answer");
    }

    /** The documented rights hold no INFO: not knowing is said, and does not stop the counting. */
    @Test
    void aUserNotAllowedToAskIsWarnedThatItIsNotChecked() throws Exception {
        DocumentedRedisRights.read().grant(redis, "aggregator", "secret");
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        Logger logger = (Logger) LoggerFactory.getLogger(RedisReplicas.class);
        logger.addAppender(logged);
        try {
            assertThat(replicas(port, 1, DefaultJedisClientConfig.builder().user("aggregator").password("secret").build()).unmet())
                    .isEmpty();
        } finally {
            logger.detachAppender(logged);
        }

        assertThat(logged.list).singleElement().satisfies(event -> assertThat(event.getFormattedMessage())
                .contains("did not tell its replicas", "NOPERM", "is not checked"));
    }

    /** CLUSTER NODES of three masters, a replica each, as Redis 7 writes it (with hostnames). */
    static final List<String> STEADY = List.of(
            "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 10.0.0.1:6379@16379,redis-1 myself,master - 0 0 1 connected 0-5460",
            "67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 10.0.0.2:6379@16379,redis-2 master - 0 1426238316232 2 connected 5461-10922",
            "292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f 10.0.0.3:6379@16379,redis-3 master - 0 1426238318243 3 connected 10923-16383",
            "07c37dfeb235213a872192d90877d0cd55635b91 10.0.0.4:6379@16379,redis-4 slave e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 0 1426238317239 4 connected",
            "6ec23923021cf3ffec47632106199cb7f496ce01 10.0.0.5:6379@16379,redis-5 slave 67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 0 1426238316232 5 connected",
            "824fe116063bc5fcf9f4ffd895bc17aee7731ac3 10.0.0.6:6379@16379,redis-6 slave 292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f 0 1426238317741 6 connected");

    @Test
    void aSteadyClusterWithFewerReplicasThanAskedIsRefusedNamingEachMaster() throws Exception {
        assertThat(RedisReplicas.unmetIn(table(STEADY), 2)).hasValueSatisfying(why -> assertThat(why)
                .contains("masters 10.0.0.1:6379 (1), 10.0.0.2:6379 (1), 10.0.0.3:6379 (1) have fewer"));
    }

    @Test
    void aSteadyClusterWithTheReplicasAskedForMeetsTheRequirement() throws Exception {
        assertThat(RedisReplicas.unmetIn(table(STEADY), 1)).isEmpty();
    }

    /**
     * After a failover, until the old master follows the promoted replica, the promoted one has
     * none: a moment of the cluster's, not a setting to refuse, so the question stays open.
     */
    @Test
    void aMasterLeftWithoutReplicasByAFailoverLeavesTheQuestionOpen() {
        List<String> failedOver = List.of(STEADY.get(0),
                "67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 10.0.0.2:6379@16379,redis-2 master,fail - 1426238316000 1426238316232 2 disconnected",
                STEADY.get(2), STEADY.get(3),
                "6ec23923021cf3ffec47632106199cb7f496ce01 10.0.0.5:6379@16379,redis-5 master - 0 1426238316232 7 connected 5461-10922",
                STEADY.get(5));

        assertThatThrownBy(() -> RedisReplicas.unmetIn(table(failedOver), 1)).isInstanceOf(StartRequirement.Unanswered.class)
                .hasMessageContaining("master 10.0.0.5:6379 (0)").hasMessageContaining("while the cluster changes");
    }

    /** A slot moving (resharding) is a cluster changing too; bracketed entries are not slots a master serves. */
    @Test
    void aSlotOnTheMoveLeavesTheQuestionOpen() {
        List<String> resharding = new java.util.ArrayList<>(STEADY);
        resharding.set(0, STEADY.get(0) + " [93->-67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1]");

        assertThatThrownBy(() -> RedisReplicas.unmetIn(table(resharding), 2)).isInstanceOf(StartRequirement.Unanswered.class)
                .hasMessageContaining("while the cluster changes");
        assertThat(ClusterNodeTable.Node.of("a 10.0.0.9:6379@16379 master - 0 0 9 connected [93-<-b]").servesSlots()).isFalse();
    }

    private static ClusterNodeTable table(List<String> lines) {
        return new ClusterNodeTable(lines.stream().map(ClusterNodeTable.Node::of).toList());
    }

    private static RedisReplicas replicas(int port, int asked, JedisClientConfig config) {
        return new RedisReplicas(new RedisClientSettings(new AggregatorProperties.Redis("127.0.0.1", port, null, 0, false, List.of(),
                asked, Duration.ofSeconds(2)), config));
    }
}
