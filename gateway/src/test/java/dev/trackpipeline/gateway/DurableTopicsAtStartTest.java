package dev.trackpipeline.gateway;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trackpipeline.infra.EmbeddedInfrastructure;
import dev.trackpipeline.model.fixtures.FixtureRecords;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * With production's durability (3 copies, 2 in sync) on one broker, the gateway does not start:
 * it would answer 202 for events one broker holds.
 */
class DurableTopicsAtStartTest {

    static final EmbeddedInfrastructure infra = EmbeddedInfrastructure.startForTests();

    @AfterAll
    static void stop() {
        infra.close();
    }

    @Test
    void refusesToStartOnOneBrokerWithProductionsDurabilityAndSaysWhatToSet() {
        assertThatThrownBy(() -> new SpringApplicationBuilder(GatewayApplication.class).run(
                "--server.port=0", "--management.server.port=0",
                "--spring.kafka.bootstrap-servers=" + infra.kafkaBootstrapServers(),
                "--track.projects-file=" + FixtureRecords.testProjectsFile(),
                "--track.topics.replication-factor=3", "--track.topics.min-insync-replicas=2"))
                .rootCause().isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("The topics are less durable than track.topics asks: Kafka has 1 broker, fewer than the 3 copies")
                .hasMessageContaining("set TRACK_TOPICS_REPLICATION_FACTOR=1 and TRACK_TOPICS_MIN_INSYNC_REPLICAS=1");
    }
}
