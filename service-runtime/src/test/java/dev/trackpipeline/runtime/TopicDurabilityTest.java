package dev.trackpipeline.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trackpipeline.infra.EmbeddedInfrastructure;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What a service finds short in the topics of a real (single) broker, against what its settings ask. */
class TopicDurabilityTest {

    static final EmbeddedInfrastructure infra = EmbeddedInfrastructure.startForTests();
    static final Duration WITHIN = Duration.ofSeconds(10);
    static Admin admin;

    @BeforeAll
    static void topics() throws Exception {
        admin = Admin.create(Map.of("bootstrap.servers", infra.kafkaBootstrapServers()));
        admin.createTopics(List.of(
                new NewTopic("durable.error", 2, (short) 1).configs(Map.of("min.insync.replicas", "1")),
                // min.insync.replicas left to the broker, whose default is 1
                new NewTopic("durable.xhr", 2, (short) 1))).all().get();
    }

    @AfterAll
    static void stop() {
        admin.close();
        infra.close();
    }

    @Test
    void topicsAsDurableAsAskedFallShortOfNothing() throws Exception {
        TopicDurability durability = new TopicDurability(Map.of(), topics(1, 1), List.of("durable.error", "durable.xhr"), () -> false);

        assertThat(durability.shortfalls(admin, WITHIN).sentences()).isEmpty();
    }

    @Test
    void productionsDefaultsOnOneBrokerNameTheBrokersTheCopiesAndTheInSyncReplicasEachWithItsRemedy() throws Exception {
        TopicDurability durability = new TopicDurability(Map.of(), topics(3, 2), List.of("durable.error", "durable.xhr"), () -> false);

        assertThat(durability.shortfalls(admin, WITHIN).sentences()).containsExactly(
                "Kafka has 1 broker, fewer than the 3 copies of each partition track.topics.replication-factor asks for: run 3 brokers "
                        + "or more, or on a single broker set TRACK_TOPICS_REPLICATION_FACTOR=1 and TRACK_TOPICS_MIN_INSYNC_REPLICAS=1 "
                        + "(bin/track local does), knowing that losing that broker's disk loses the events on it",
                "topics durable.error, durable.xhr keep 1 copy of a partition, fewer than track.topics.replication-factor (3): add "
                        + "copies with kafka-reassign-partitions.sh, or lower the setting",
                "topics durable.error, durable.xhr have min.insync.replicas=1, fewer than track.topics.min-insync-replicas (2), so an "
                        + "event could be acknowledged while 1 broker(s) hold it: raise it on each with kafka-configs.sh --alter "
                        + "--entity-type topics --entity-name <topic> --add-config min.insync.replicas=2");
    }

    @Test
    void aTopicThatCouldNotBeCreatedIsNamed() throws Exception {
        TopicDurability durability = new TopicDurability(Map.of(), topics(1, 1), List.of("durable.error", "durable.never-created"), () -> false);

        assertThat(durability.shortfalls(admin, WITHIN).sentences()).containsExactly(
                "topics durable.never-created do not exist and could not be made (logged why above): create them with "
                        + "1 copy and min.insync.replicas=1, or grant this service's Kafka user the right to create them");
    }

    /**
     * Services started side by side each make the topics; a broker describes a topic made a moment
     * ago as unknown until the controller's record of it reaches the broker. Not a shortfall: the
     * check waits to see them (before, all three services of a fresh pipeline could refuse to start).
     */
    @Test
    void topicsMadeAMomentAgoBesideThisServiceAreWaitedForNotCalledMissing() throws Exception {
        List<String> justMade = List.of("fresh.error", "fresh.xhr", "fresh.resource", "fresh.performance", "fresh.custom");
        // another service's KafkaAdmin, a moment behind: found made, not yet described
        CompletableFuture<Void> besideIt = new CompletableFuture<>();
        TopicDurability durability = new TopicDurability(Map.of("bootstrap.servers", infra.kafkaBootstrapServers()), topics(1, 1),
                justMade, () -> {
                    besideIt.completeAsync(() -> {
                        try {
                            admin.createTopics(justMade.stream().map(topic -> new NewTopic(topic, 6, (short) 1)).toList()).all().get();
                            return null;
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }, CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS));
                    return true;
                });

        assertThat(durability.unmet()).isEmpty();
        besideIt.get(30, TimeUnit.SECONDS);
    }

    @Test
    void topicsSaidToBeMadeThatKafkaNeverDescribesLeaveTheQuestionOpenForTheNextCheck() {
        TopicDurability durability = new TopicDurability(Map.of("bootstrap.servers", infra.kafkaBootstrapServers()), topics(1, 1),
                List.of("durable.error", "durable.made-elsewhere"), () -> true);

        assertThatThrownBy(durability::unmet).isInstanceOf(StartRequirement.Unanswered.class)
                .hasMessage("topics durable.made-elsewhere were made, and Kafka does not describe them yet");
    }

    @Test
    void topicsThatCouldNotBeMadeAreAShortfallThatNamesThem() throws Exception {
        TopicDurability durability = new TopicDurability(Map.of("bootstrap.servers", infra.kafkaBootstrapServers()), topics(1, 1),
                List.of("durable.error", "durable.refused"), () -> {
                    throw new IllegalStateException("Could not configure topics", new RuntimeException("not authorized"));
                });

        assertThat(durability.unmet()).hasValueSatisfying(unmet -> assertThat(unmet)
                .contains("topics durable.refused do not exist and could not be made"));
    }

    private static TrackProperties.Topics topics(int replicationFactor, int minInsyncReplicas) {
        return new TrackProperties.Topics("durable.", 2, (short) replicationFactor, Duration.ofDays(7), 4_194_304, (short) minInsyncReplicas);
    }
}
