package dev.trackpipeline.aggregator;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trackpipeline.infra.EmbeddedInfrastructure;
import dev.trackpipeline.model.fixtures.FixtureRecords;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import redis.clients.jedis.JedisPooled;

/** The aggregator does not start on a Redis that evicts keys: it could not keep its counts exact there. */
class EvictingRedisAtStartTest {

    static final EmbeddedInfrastructure infra = EmbeddedInfrastructure.startForTests();

    @AfterAll
    static void stop() {
        infra.close();
    }

    @Test
    void refusesToStartOnARedisThatEvictsAndSaysHowToMendIt() {
        try (JedisPooled redis = new JedisPooled(infra.redis().host(), infra.redis().port())) {
            redis.configSet("maxmemory-policy", "volatile-lru");
        }

        assertThatThrownBy(() -> new SpringApplicationBuilder(AggregatorApplication.class).run(
                "--server.port=0", "--management.server.port=0",
                "--spring.kafka.bootstrap-servers=" + infra.kafkaBootstrapServers(),
                "--track.aggregator.redis.host=" + infra.redis().host(), "--track.aggregator.redis.port=" + infra.redis().port(),
                "--track.aggregator.group-id=evicting-redis-aggregator",
                "--track.projects-file=" + FixtureRecords.testProjectsFile()))
                .rootCause().isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("Redis at " + infra.redis().host() + ":" + infra.redis().port()
                        + " evicts keys when full (maxmemory-policy volatile-lru)")
                .hasMessageContaining("Set maxmemory-policy noeviction");
    }
}
