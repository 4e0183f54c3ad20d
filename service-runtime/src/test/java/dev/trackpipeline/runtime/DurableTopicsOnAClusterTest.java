package dev.trackpipeline.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trackpipeline.infra.EmbeddedKafkaCluster;
import dev.trackpipeline.infra.KafkaNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Production's durability on a real three-broker cluster, each broker a process of its own: the
 * services' settings are met, and a broker killed (SIGKILL) while events are written loses none
 * of those Kafka acknowledged, stops no write, and rejoins when started again.
 */
class DurableTopicsOnAClusterTest {

    static final String TOPIC = "track.error";
    @TempDir
    static Path dir;
    static EmbeddedKafkaCluster cluster;
    static Admin admin;

    @BeforeAll
    static void threeBrokers() throws Exception {
        cluster = EmbeddedKafkaCluster.start(dir, KafkaNode.onFreePorts(3, "127.0.0.1"));
        admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()));
        admin.createTopics(List.of(new NewTopic(TOPIC, 3, (short) 3).configs(Map.of("min.insync.replicas", "2")))).all().get();
    }

    @AfterAll
    static void stop() {
        if (admin != null) {
            admin.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void threeBrokersMeetProductionsDurability() throws Exception {
        TrackProperties.Topics production = new TrackProperties.Topics("track.", 3, (short) 3, Duration.ofDays(7), 4_194_304, (short) 2);

        assertThat(new TopicDurability(Map.of(), production, List.of(TOPIC), () -> false).shortfalls(admin, Duration.ofSeconds(10)).sentences()).isEmpty();
    }

    @Test
    void aLeaderKilledWhileEventsAreWrittenLosesNoneKafkaAcknowledgedAndRejoinsWhenStarted() throws Exception {
        int leader = leaderOfPartitionZero();
        Set<String> acknowledged = new HashSet<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000),
                new StringSerializer(), new StringSerializer())) {
            acknowledged.addAll(send(producer, 0, 2_000));
            cluster.kill(leader);
            acknowledged.addAll(send(producer, 2_000, 4_000));
            // A service restarted now, a broker away, still finds its topics as durable as asked: their copies are assigned.
            assertThat(new TopicDurability(Map.of(), new TrackProperties.Topics("track.", 3, (short) 3, Duration.ofDays(7), 4_194_304,
                    (short) 2), List.of(TOPIC), () -> false).shortfalls(admin, Duration.ofSeconds(10)).sentences()).isEmpty();

            assertThat(leaderOfPartitionZero()).isNotEqualTo(leader);
            assertThat(acknowledged).hasSize(4_000);
            assertThat(readAtLeast(acknowledged.size())).containsAll(acknowledged);

            cluster.restart(leader);
            await().atMost(Duration.ofSeconds(90)).until(() -> description().partitions().stream()
                    .allMatch(partition -> partition.isr().size() == 3));
            acknowledged.addAll(send(producer, 4_000, 5_000));
        }
        assertThat(readAtLeast(5_000)).hasSize(5_000).containsAll(acknowledged);
    }

    /** Sends {@code [from, to)} and returns those Kafka acknowledged. */
    private static List<String> send(KafkaProducer<String, String> producer, int from, int to) throws Exception {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (int index = from; index < to; index++) {
            sent.add(producer.send(new ProducerRecord<>(TOPIC, "key-" + index, "event-" + index)));
        }
        List<String> acknowledged = new ArrayList<>();
        for (int index = 0; index < sent.size(); index++) {
            sent.get(index).get(90, TimeUnit.SECONDS);
            acknowledged.add("event-" + (from + index));
        }
        return acknowledged;
    }

    /** Every record of the topic, reading on for a few quiet polls once {@code expected} are in, so that a duplicate would show. */
    private static List<String> readAtLeast(int expected) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(), ConsumerConfig.GROUP_ID_CONFIG, "reader-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(TOPIC));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            int quiet = 0;
            while (quiet < 3 && System.nanoTime() < deadline) {
                var records = consumer.poll(Duration.ofSeconds(1));
                quiet = records.isEmpty() && values.size() >= expected ? quiet + 1 : 0;
                for (ConsumerRecord<String, String> record : records) {
                    values.add(record.value());
                }
            }
        }
        return values;
    }

    private static int leaderOfPartitionZero() throws Exception {
        return description().partitions().get(0).leader().id();
    }

    private static TopicDescription description() throws Exception {
        return admin.describeTopics(List.of(TOPIC)).allTopicNames().get(30, TimeUnit.SECONDS).get(TOPIC);
    }
}
