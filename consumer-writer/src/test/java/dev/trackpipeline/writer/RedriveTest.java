package dev.trackpipeline.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import dev.trackpipeline.infra.EmbeddedInfrastructure;
import dev.trackpipeline.infra.testing.KafkaTestRecords;
import dev.trackpipeline.model.fixtures.FixtureRecords;
import dev.trackpipeline.model.fixtures.FixtureRecords.FixtureRecord;
import dev.trackpipeline.model.fixtures.WebSeeFixtures.CapturedRequest;
import dev.trackpipeline.model.kafka.TrackHeaders;
import dev.trackpipeline.model.metrics.TrackMeters;
import dev.trackpipeline.replay.ReplayCommand;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * {@code bin/track replay redrive} against the running writer: a record MongoDB refused is
 * dead-lettered, the operator removes the cause, and the redrive has it stored, once however often
 * it runs; a letter the aggregator gave up on is redriven to the same topic and left alone here.
 */
@SpringBootTest(properties = {"track.writer.group-id=redrive-writer", "track.consumer.refused-attempts=2",
        "track.consumer.refused-backoff=100ms"})
class RedriveTest {

    static final EmbeddedInfrastructure infra = EmbeddedInfrastructure.startForTests();
    static final Instant RECEIVED_AT = Instant.parse("2026-11-30T08:00:00Z");

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", infra::kafkaBootstrapServers);
        registry.add("spring.mongodb.uri", infra::mongoUri);
        registry.add("track.projects-file", () -> FixtureRecords.testProjectsFile().toString());
    }

    @AfterAll
    static void stop() {
        infra.close();
    }

    @Autowired
    MongoDatabase database;

    @Autowired
    MeterRegistry meters;

    @Test
    void aRefusedRecordRedrivenOnceItsCauseIsGoneIsStoredOnceAndTheAggregatorsLetterIsLeftAlone() throws Exception {
        var custom = database.getCollection("custom");
        // The cause: a unique index an operator added, on which a second order number conflicts.
        custom.createIndex(Indexes.ascending("orderNumber"), new IndexOptions().unique(true).sparse(true).name("test_unique_order"));
        String session = UUID.randomUUID().toString();
        FixtureRecord first = customEvent(session, 1, ",\"orderNumber\":\"A-1\"");
        FixtureRecord refused = customEvent(session, 2, ",\"orderNumber\":\"A-1\"");
        FixtureRecord countedOnly = customEvent(session, 3, "");

        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), List.of(first, refused));

        var letters = await().atMost(Duration.ofSeconds(30)).until(() -> deadLettersFor(refused.eventId()), found -> found.size() == 1);
        assertThat(header(letters.get(0), TrackHeaders.DEAD_LETTER_OUTCOME)).isEqualTo("refused_by_store");
        assertThat(header(letters.get(0), TrackHeaders.DEAD_LETTER_GROUP)).isEqualTo("redrive-writer");
        assertThat(stored(refused)).isZero();
        produceAggregatorsLetter(countedOnly);
        aggregatorConsumes("track.custom");
        custom.dropIndex("test_unique_order");

        String redrive = replay("redrive");

        assertThat(redrive).contains("redrove 2 letters");
        await().atMost(Duration.ofSeconds(30)).until(() -> stored(refused) == 1);
        await().atMost(Duration.ofSeconds(30)).until(() -> meters.find(TrackMeters.CONSUME_REDRIVEN_ELSEWHERE).tag("topic", "track.custom")
                .counter() != null && meters.get(TrackMeters.CONSUME_REDRIVEN_ELSEWHERE).counter().count() == 1);
        awaitEverythingConsumed();
        assertThat(stored(countedOnly)).as("the aggregator's letter is not the writer's to store").isZero();

        assertThat(replay("redrive")).contains("redrove 0 letters", "2 redriven before");
        assertThat(replay("redrive", "--group", "redrive-writer", "--again")).contains("redrove 1 letter");
        awaitEverythingConsumed();
        assertThat(stored(refused)).isEqualTo(1);
        assertThat(custom.countDocuments(Filters.eq("orderNumber", "A-1"))).isEqualTo(2);
        assertThat(deadLettersFor(refused.eventId())).hasSize(1);
    }

    private long stored(FixtureRecord record) {
        return database.getCollection("custom").countDocuments(Filters.eq("_id", record.eventId()));
    }

    private static void awaitEverythingConsumed() {
        KafkaTestRecords.awaitConsumed(infra.kafkaBootstrapServers(), "redrive-writer", List.of("track.custom"), Duration.ofSeconds(30));
    }

    /** As if the aggregator ran beside the writer: its group has committed offsets on the topic, so a redrive finds it consumes it. */
    private static void aggregatorConsumes(String topic) throws Exception {
        try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", infra.kafkaBootstrapServers()))) {
            var offsets = new java.util.HashMap<TopicPartition, OffsetAndMetadata>();
            admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions()
                    .forEach(partition -> offsets.put(new TopicPartition(topic, partition.partition()), new OffsetAndMetadata(0)));
            admin.alterConsumerGroupOffsets("track-aggregator", offsets).all().get(30, TimeUnit.SECONDS);
        }
    }

    /** As KafkaDeadLetters writes it when the aggregator gives up on a record the writer stored (or, here, never saw). */
    private static void produceAggregatorsLetter(FixtureRecord record) throws Exception {
        var headers = new RecordHeaders();
        record.headers().forEach((name, value) -> headers.add(name, utf8(value)));
        headers.add(TrackHeaders.DEAD_LETTER_OUTCOME, utf8("unstorable"));
        headers.add(TrackHeaders.DEAD_LETTER_REASON, utf8("storing this record alone failed: a bug since fixed"));
        headers.add(TrackHeaders.DEAD_LETTER_SOURCE, utf8("track.custom:0:0"));
        headers.add(TrackHeaders.DEAD_LETTER_GROUP, utf8("track-aggregator"));
        try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", infra.kafkaBootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>("track.dead-letter", null, record.key(), record.value(), headers)).get(30, TimeUnit.SECONDS);
        }
    }

    private static String replay(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--bootstrap-servers", infra.kafkaBootstrapServers()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = ReplayCommand.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(all.toArray(String[]::new));
        assertThat(exit).as(err.toString()).isZero();
        return out.toString();
    }

    private static List<ConsumerRecord<String, byte[]>> deadLettersFor(String eventId) {
        return KafkaTestRecords.readAll(infra.kafkaBootstrapServers(), "track.dead-letter").stream()
                .filter(record -> record.headers().lastHeader(TrackHeaders.EVENT_ID) != null
                        && eventId.equals(header(record, TrackHeaders.EVENT_ID))).toList();
    }

    private static FixtureRecord customEvent(String session, int sequence, String extraFields) {
        return FixtureRecords.of(new CapturedRequest("POST", "/reportData", "application/json", null,
                "{\"type\":\"custom\",\"apikey\":\"demo-project\",\"time\":" + (1795642100000L + sequence)
                        + ",\"uuid\":\"" + session + "\"" + extraFields + "}"), RECEIVED_AT);
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
