package dev.trackpipeline.aggregator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.infra.EmbeddedRedisServer;
import dev.trackpipeline.infra.InfrastructureSettings;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisPooled;

/**
 * The question the aggregator asks before it dead-letters records that failed alone for no known
 * reason: does Redis take a write at all? Asked of a real redis-server.
 */
class RedisWriteProbeTest {

    final int port = InfrastructureSettings.freePort();
    EmbeddedRedisServer server = EmbeddedRedisServer.start(Optional.empty(), "127.0.0.1", port);
    final JedisPooled redis = new JedisPooled("127.0.0.1", port);
    final RedisOutages outages = new RedisOutages(redis);

    @AfterEach
    void stop() {
        redis.close();
        server.close();
    }

    @Test
    void aServerThatTakesWritesTakesTheProbeAsOneKeyThatExpires() {
        assertThat(outages.takesWrites()).isTrue();
        assertThat(outages.takesWrites()).isTrue();

        assertThat(redis.keys("*")).containsExactly(MetricKeys.writeProbe());
        assertThat(redis.pttl(MetricKeys.writeProbe())).isPositive().isLessThanOrEqualTo(60_000);
    }

    /** Out of memory under noeviction: PING still answers PONG, which is why a ping is not the question. */
    @Test
    void aServerThatAnswersPingsButRefusesWritesDoesNotTakeTheProbe() {
        redis.configSet("maxmemory-policy", "noeviction");
        redis.configSet("maxmemory", "1");

        assertThat(redis.ping()).isEqualTo("PONG");
        assertThat(outages.takesWrites()).isFalse();

        redis.configSet("maxmemory", "0");
        assertThat(outages.takesWrites()).isTrue();
    }

    @Test
    void aStoppedServerDoesNotTakeTheProbeAndTheProbeSaysSoWithoutThrowing() {
        assertThat(outages.takesWrites()).isTrue();
        server.close();

        assertThat(outages.takesWrites()).isFalse();

        server = EmbeddedRedisServer.start(Optional.empty(), "127.0.0.1", port);
        assertThat(outages.takesWrites()).as("once the server is back").isTrue();
    }
}
