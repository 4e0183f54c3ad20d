package dev.trackpipeline.aggregator.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.trackpipeline.aggregator.AggregatorProperties;
import dev.trackpipeline.infra.EmbeddedRedisServer;
import dev.trackpipeline.infra.FreePorts;
import dev.trackpipeline.runtime.StartRequirement;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.Protocol;

/** The aggregator counts only on a Redis that keeps every key: asked of a real redis-server. */
class RedisEvictionPolicyTest {

    final int port = FreePorts.one();
    final EmbeddedRedisServer server = EmbeddedRedisServer.start(Optional.empty(), "127.0.0.1", port);
    final JedisPooled redis = new JedisPooled("127.0.0.1", port);

    @AfterEach
    void stop() {
        redis.close();
        server.close();
    }

    @Test
    void aRedisThatKeepsEveryKeyMeetsTheRequirement() throws Exception {
        redis.configSet("maxmemory-policy", "noeviction");

        assertThat(policy(false).unmet()).isEmpty();
    }

    @Test
    void aRedisThatEvictsIsRefusedWithThePolicyAndBothWaysOut() throws Exception {
        redis.configSet("maxmemory-policy", "allkeys-lru");

        assertThat(policy(false).unmet()).contains("Redis at 127.0.0.1:" + port + " evicts keys when full (maxmemory-policy "
                + "allkeys-lru): it could evict the aggregator's progress markers and remembered event ids, and redelivered events "
                + "would be counted twice. Set maxmemory-policy noeviction (redis-cli CONFIG SET maxmemory-policy noeviction, and in "
                + "redis.conf so that it outlasts a restart), or set REDIS_ALLOW_EVICTION=true (track.aggregator.redis.allow-eviction) "
                + "to count anyway");
    }

    /** Every key of the aggregator has an expiry, so volatile-* policies can evict any of them. */
    @Test
    void evictingOnlyKeysWithAnExpiryIsRefusedToo() throws Exception {
        redis.configSet("maxmemory-policy", "volatile-ttl");

        assertThat(policy(false).unmet()).hasValueSatisfying(why -> assertThat(why).contains("(maxmemory-policy volatile-ttl)"));
    }

    @Test
    void anOperatorWhoAllowsEvictionIsWarnedAndTheAggregatorCounts() throws Exception {
        redis.configSet("maxmemory-policy", "allkeys-lfu");

        List<ILoggingEvent> logged = loggedWhile(() -> policy(true).unmet());

        assertThat(logged).singleElement().satisfies(event -> {
            assertThat(event.getLevel()).isEqualTo(Level.WARN);
            assertThat(event.getFormattedMessage()).contains("(maxmemory-policy allkeys-lfu)", "counting anyway");
        });
    }

    /** A managed Redis may hide CONFIG: not knowing is said, and does not stop the counting. */
    @Test
    void aUserNotAllowedToReadThePolicyIsToldToCheckItByHand() throws Exception {
        DocumentedRedisRights.read().grant(redis, "aggregator", "secret");

        List<ILoggingEvent> logged;
        logged = loggedWhile(() -> asAggregator().unmet());

        assertThat(logged).singleElement().satisfies(event -> {
            assertThat(event.getLevel()).isEqualTo(Level.WARN);
            assertThat(event.getFormattedMessage()).contains("did not tell its maxmemory-policy", "NOPERM", "make sure it is noeviction");
        });
    }

    /** Managed Redis services hide CONFIG, and often evict by default: INFO tells the policy there. */
    @Test
    void whereConfigIsRefusedThePolicyIsReadFromInfo() throws Exception {
        redis.configSet("maxmemory-policy", "volatile-lru");
        DocumentedRedisRights.read().grant(redis, "aggregator", "secret");
        redis.sendCommand(Protocol.Command.ACL, "SETUSER", "aggregator", "+info");

        assertThat(asAggregator().unmet()).hasValueSatisfying(why -> assertThat(why).contains("(maxmemory-policy volatile-lru)"));
    }

    /**
     * A server busy with a script (or loading its data set) refuses every command with an error
     * that passes: not an answer about the policy, one still to come.
     */
    @Test
    void aRedisBusyWithAScriptHasNotAnsweredYet() throws Exception {
        try (RedisBusyWithAScript busy = RedisBusyWithAScript.start("127.0.0.1", port)) {
            assertThatThrownBy(() -> policy(false).unmet()).isInstanceOf(StartRequirement.Unanswered.class).hasMessageContaining("BUSY");
        }
    }

    @Test
    void aRedisThatDoesNotAnswerLeavesTheQuestionOpen() {
        int nobody = FreePorts.one();
        RedisEvictionPolicy policy = new RedisEvictionPolicy(new RedisClientSettings(new AggregatorProperties.Redis("127.0.0.1", nobody,
                null, 0, false), DefaultJedisClientConfig.builder().build()));

        assertThatThrownBy(policy::unmet).isInstanceOf(StartRequirement.Unanswered.class)
                .hasMessageStartingWith("Redis at 127.0.0.1:" + nobody + " did not answer");
    }

    /** REDIS_CLUSTER_NODES naming a single server: a wrong setting, refused with the way out, not waited on. */
    @Test
    void aSingleServerNamedAsAClusterNodeIsRefusedWithTheSettingToChange() throws Exception {
        AggregatorProperties.Redis asCluster = settings(false).inCluster(List.of("127.0.0.1:" + port), 0);

        assertThat(new RedisEvictionPolicy(new RedisClientSettings(asCluster, DefaultJedisClientConfig.builder().build())).unmet())
                .contains("REDIS_CLUSTER_NODES (track.aggregator.redis.cluster-nodes) names 127.0.0.1:" + port + ", a Redis server "
                        + "that is not part of a cluster (cluster support disabled): for a single server, unset REDIS_CLUSTER_NODES and "
                        + "set REDIS_HOST and REDIS_PORT");
    }

    private RedisEvictionPolicy policy(boolean allowEviction) {
        return new RedisEvictionPolicy(new RedisClientSettings(settings(allowEviction), DefaultJedisClientConfig.builder().build()));
    }

    /** As the aggregator's user of the documented rights (the rights table's). */
    private RedisEvictionPolicy asAggregator() {
        return new RedisEvictionPolicy(new RedisClientSettings(settings(false),
                DefaultJedisClientConfig.builder().user("aggregator").password("secret").build()));
    }

    private AggregatorProperties.Redis settings(boolean allowEviction) {
        return new AggregatorProperties.Redis("127.0.0.1", port, null, 0, allowEviction);
    }

    private static List<ILoggingEvent> loggedWhile(Callable<Optional<String>> action) throws Exception {
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        Logger logger = (Logger) LoggerFactory.getLogger(RedisEvictionPolicy.class);
        logger.addAppender(logged);
        try {
            assertThat(action.call()).isEmpty();
        } finally {
            logger.detachAppender(logged);
        }
        return logged.list;
    }
}
