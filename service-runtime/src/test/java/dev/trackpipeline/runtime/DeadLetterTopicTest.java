package dev.trackpipeline.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.infra.EmbeddedInfrastructure;
import dev.trackpipeline.infra.testing.KafkaTestRecords;
import dev.trackpipeline.model.Outcome;
import dev.trackpipeline.model.ingest.IngestLimits;
import dev.trackpipeline.model.kafka.TopicNames;
import dev.trackpipeline.model.kafka.TrackHeaders;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * Dead letters against a real broker whose dead-letter topic is older than the service and keeps
 * Kafka's default size limit: a value it refuses must not stop the consumer for good.
 */
class DeadLetterTopicTest {

    static final EmbeddedInfrastructure infra = EmbeddedInfrastructure.startForTests();

    @AfterAll
    static void stop() {
        infra.close();
    }

    @Test
    void leavesOutAValueTheDeadLetterTopicRefusesForItsSizeAndKeepsTheOthersWhole() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", infra.kafkaBootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("small.dead-letter", 1, (short) 1).configs(Map.of("max.message.bytes", "10000"))))
                    .all().get();
        }
        var template = new KafkaTemplate<>(new DefaultKafkaProducerFactory<String, byte[]>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrapServers(), ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024), new StringSerializer(), new ByteArraySerializer()));
        var deadLetters = new KafkaDeadLetters(template, new TopicNames("small."), IngestLimits.DEFAULTS, new SimpleMeterRegistry());

        deadLetters.publish(List.of(
                new DeadLetter(record(7, "x".repeat(20_000)), Outcome.UNSTORABLE, "too large for MongoDB"),
                new DeadLetter(record(8, "{}"), Outcome.INVALID_EVENT, "type: is required")));

        List<ConsumerRecord<String, byte[]>> letters = KafkaTestRecords.readAtLeast(infra.kafkaBootstrapServers(), 2, "small.dead-letter");
        assertThat(letters).hasSize(2);
        ConsumerRecord<String, byte[]> large = letters.stream().filter(letter -> header(letter, TrackHeaders.DEAD_LETTER_SOURCE)
                .equals("track.custom:0:7")).findFirst().orElseThrow();
        assertThat(large.value()).isNull();
        assertThat(header(large, TrackHeaders.DEAD_LETTER_REASON)).isEqualTo("too large for MongoDB (the record's value of 20000 bytes is "
                + "left out: the dead-letter topic refused it for its size; track-dead-letter-source says where it is)");
        ConsumerRecord<String, byte[]> small = letters.stream().filter(letter -> header(letter, TrackHeaders.DEAD_LETTER_SOURCE)
                .equals("track.custom:0:8")).findFirst().orElseThrow();
        assertThat(new String(small.value(), StandardCharsets.UTF_8)).isEqualTo("{}");
        template.destroy();
    }

    private static ConsumerRecord<String, byte[]> record(long offset, String value) {
        return new ConsumerRecord<>("track.custom", 0, offset, 0L, TimestampType.CREATE_TIME, -1, -1, "k",
                value.getBytes(StandardCharsets.UTF_8), new RecordHeaders(), Optional.empty());
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
