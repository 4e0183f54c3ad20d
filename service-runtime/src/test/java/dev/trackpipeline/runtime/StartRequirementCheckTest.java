package dev.trackpipeline.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.trackpipeline.infra.EmbeddedInfrastructure;
import dev.trackpipeline.infra.EmbeddedKafkaBroker;
import dev.trackpipeline.infra.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A service whose topics are less durable than asked does not run: it does not start when Kafka
 * answers at start, and it stops once Kafka answers when Kafka was away at start. Topics missing
 * because Kafka was away are made then, and the service runs on.
 */
class StartRequirementCheckTest {

    static final EmbeddedInfrastructure infra = EmbeddedInfrastructure.startForTests();
    final CountDownLatch stopped = new CountDownLatch(1);
    final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @AfterAll
    static void stop() {
        infra.close();
    }

    @BeforeEach
    void listen() {
        logged.start();
        ((Logger) LoggerFactory.getLogger(StartRequirementCheck.class)).addAppender(logged);
    }

    @AfterEach
    void stopListening() {
        ((Logger) LoggerFactory.getLogger(StartRequirementCheck.class)).detachAppender(logged);
    }

    @Test
    void refusesToStartWhenKafkaAnswersWithTopicsLessDurableThanAsked() throws Exception {
        createTopic(infra.kafkaBootstrapServers(), "weak.error");
        StartRequirementCheck check = check(durability(infra.kafkaBootstrapServers(), production(), "weak.error", () -> false));

        assertThatThrownBy(check::start).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("The topics are less durable than track.topics asks: Kafka has 1 broker, fewer than the 3 copies")
                .hasMessageContaining("topics weak.error keep 1 copy of a partition");
        assertThat(stopped.getCount()).isOne();
    }

    @Test
    void startsWhenKafkaIsAwayAndStopsTheServiceOnceKafkaAnswersWithTopicsLessDurableThanAsked(@TempDir Path dir) throws Exception {
        int port = FreePorts.one();
        StartRequirementCheck check = check(durability("127.0.0.1:" + port, production(), "late.error", () -> false));

        check.start();
        assertThat(stopped.getCount()).isOne();

        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(Files.createDirectories(dir.resolve("kafka")), "127.0.0.1", port,
                FreePorts.one())) {
            createTopic(broker.bootstrapServers(), "late.error");
            assertThat(stopped.await(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            check.stop();
        }
        assertThat(logged.list).anySatisfy(event -> {
            assertThat(event.getLevel()).isEqualTo(Level.ERROR);
            assertThat(event.getFormattedMessage()).startsWith("The topics are less durable than track.topics asks: Kafka has 1 broker")
                    .endsWith("; stopping");
        });
    }

    /** KafkaAdmin makes the topics at start only: a service started before Kafka makes them once Kafka answers. */
    @Test
    void topicsMissingBecauseKafkaWasAwayAtStartAreMadeOnceItAnswersAndTheServiceRunsOn(@TempDir Path dir) throws Exception {
        int port = FreePorts.one();
        String address = "127.0.0.1:" + port;
        StartRequirementCheck check = check(durability(address, single(), "made-late.error",
                () -> {
                    createTopic(address, "made-late.error");
                    return true;
                }));

        check.start();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(Files.createDirectories(dir.resolve("kafka")), "127.0.0.1", port,
                FreePorts.one())) {
            await().atMost(Duration.ofSeconds(60)).until(() -> logged.list.stream()
                    .anyMatch(event -> event.getFormattedMessage().equals("the topics' durability checked: as required")));
        } finally {
            check.stop();
        }
        assertThat(stopped.getCount()).isOne();
    }

    @Test
    void aServiceWhoseTopicsAreAsDurableAsAskedStarts() throws Exception {
        createTopic(infra.kafkaBootstrapServers(), "single.error");
        StartRequirementCheck check = check(durability(infra.kafkaBootstrapServers(), single(), "single.error", () -> false));

        check.start();

        assertThat(check.isRunning()).isTrue();
        assertThat(logged.list).isEmpty();
        check.stop();
        assertThat(stopped.getCount()).isOne();
    }

    private StartRequirementCheck check(StartRequirement requirement) {
        return new StartRequirementCheck(requirement, stopped::countDown, Duration.ofSeconds(1));
    }

    private static TopicDurability durability(String bootstrapServers, TrackProperties.Topics wanted, String topic, BooleanSupplier makeTopics) {
        return new TopicDurability(Map.of("bootstrap.servers", bootstrapServers), wanted, List.of(topic), makeTopics);
    }

    private static TrackProperties.Topics production() {
        return new TrackProperties.Topics("track.", 2, (short) 3, Duration.ofDays(7), 4_194_304, (short) 2);
    }

    private static TrackProperties.Topics single() {
        return new TrackProperties.Topics("track.", 2, (short) 1, Duration.ofDays(7), 4_194_304, (short) 1);
    }

    private static void createTopic(String bootstrapServers, String topic) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
