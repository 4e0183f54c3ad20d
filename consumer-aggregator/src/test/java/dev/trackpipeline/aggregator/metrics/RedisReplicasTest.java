package dev.trackpipeline.aggregator.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.trackpipeline.aggregator.AggregatorProperties;
import dev.trackpipeline.infra.EmbeddedRedisServer;
import dev.trackpipeline.infra.InfrastructureSettings;
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

    final int port = InfrastructureSettings.freePort();
    final EmbeddedRedisServer server = EmbeddedRedisServer.start(Optional.empty(), "127.0.0.1", port);
    final JedisPooled redis = new JedisPooled("127.0.0.1", port);

    @AfterEach
    void stop() {
        redis.close();
        server.close();
    }

    @Test
    void withoutReplicasAskedForNothingIsAskedOfRedis() throws Exception {
        int nobody = InfrastructureSettings.freePort();

        assertThat(replicas(nobody, 0, DefaultJedisClientConfig.builder().build()).unmet()).isEmpty();
    }

    @Test
    void aServerWithTheReplicasAskedForMeetsTheRequirement() throws Exception {
        int replicaPort = InfrastructureSettings.freePort();
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
        int nobody = InfrastructureSettings.freePort();

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

    private static RedisReplicas replicas(int port, int asked, JedisClientConfig config) {
        return new RedisReplicas(new RedisClientSettings(new AggregatorProperties.Redis("127.0.0.1", port, null, 0, false, List.of(),
                asked, Duration.ofSeconds(2)), config));
    }
}
