package dev.trackpipeline.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.trackpipeline.infra.EmbeddedInfrastructure;
import dev.trackpipeline.infra.EmbeddedKafkaBroker;
import dev.trackpipeline.infra.InfrastructureSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.support.GenericApplicationContext;

/**
 * A service whose topics are less durable than asked does not run: it does not start when Kafka
 * answers at start, and it stops once Kafka answers when Kafka was away at start.
 */
class StartRequirementCheckTest {

    static final EmbeddedInfrastructure infra = EmbeddedInfrastructure.startForTests();

    @AfterAll
    static void stop() {
        infra.close();
    }

    @Test
    void refusesToStartWhenKafkaAnswersWithTopicsLessDurableThanAsked() throws Exception {
        createTopic(infra.kafkaBootstrapServers(), "weak.error");
        GenericApplicationContext context = refreshedContext();
        StartRequirementCheck check = new StartRequirementCheck(durability(infra.kafkaBootstrapServers(), production(), "weak.error"),
                context);

        assertThatThrownBy(check::start).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("The topics are less durable than track.topics asks: Kafka has 1 broker, fewer than the 3 copies")
                .hasMessageContaining("topics weak.error keep 1 copy of a partition");
        context.close();
    }

    @Test
    void startsWhenKafkaIsAwayAndStopsTheServiceOnceKafkaAnswersWithTopicsLessDurableThanAsked(@TempDir Path dir) throws Exception {
        int port = InfrastructureSettings.freePort();
        GenericApplicationContext context = refreshedContext();
        StartRequirementCheck check = new StartRequirementCheck(durability("127.0.0.1:" + port, production(), "late.error"), context,
                Duration.ofSeconds(1));

        check.start();
        assertThat(context.isActive()).isTrue();

        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(Files.createDirectories(dir.resolve("kafka")), "127.0.0.1", port,
                InfrastructureSettings.freePort())) {
            createTopic(broker.bootstrapServers(), "late.error");
            await().atMost(Duration.ofSeconds(60)).until(() -> !context.isActive());
        } finally {
            check.stop();
        }
    }

    @Test
    void aServiceWhoseTopicsAreAsDurableAsAskedStarts() throws Exception {
        createTopic(infra.kafkaBootstrapServers(), "single.error");
        GenericApplicationContext context = refreshedContext();
        StartRequirementCheck check = new StartRequirementCheck(durability(infra.kafkaBootstrapServers(),
                new TrackProperties.Topics("single.", 2, (short) 1, Duration.ofDays(7), 4_194_304, (short) 1), "single.error"), context);

        check.start();

        assertThat(check.isRunning()).isTrue();
        assertThat(context.isActive()).isTrue();
        check.stop();
        context.close();
    }

    private static TopicDurability durability(String bootstrapServers, TrackProperties.Topics wanted, String topic) {
        return new TopicDurability(Map.of("bootstrap.servers", bootstrapServers), wanted, List.of(topic));
    }

    private static TrackProperties.Topics production() {
        return new TrackProperties.Topics("track.", 2, (short) 3, Duration.ofDays(7), 4_194_304, (short) 2);
    }

    private static GenericApplicationContext refreshedContext() {
        GenericApplicationContext context = new GenericApplicationContext();
        context.refresh();
        return context;
    }

    private static void createTopic(String bootstrapServers, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();
        }
    }
}
