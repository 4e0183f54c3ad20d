package dev.trackpipeline.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import dev.trackpipeline.infra.EmbeddedInfrastructure;
import dev.trackpipeline.infra.testing.KafkaTestRecords;
import dev.trackpipeline.model.fixtures.FixtureRecords;
import dev.trackpipeline.model.fixtures.FixtureRecords.FixtureRecord;
import dev.trackpipeline.model.fixtures.WebSeeFixtures.CapturedRequest;
import dev.trackpipeline.model.kafka.TrackHeaders;
import dev.trackpipeline.replay.ReplayCommand;
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
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
 * The writer's group was renamed (track.writer.group-id) after it dead-lettered a record under its
 * old name. A redrive for the old name would be skipped by every consumer and the event lost while
 * marked as redriven: the redrive leaves such letters out, says which group does not consume which
 * topic, and exits non-zero; --as-group redrives them for the new name. And what the writer reads
 * of a redrive is only what it committed: an aborted transaction's records are never stored.
 */
@SpringBootTest(properties = {"track.writer.group-id=renamed-writer"})
class RenamedGroupRedriveTest {

    static final EmbeddedInfrastructure infra = EmbeddedInfrastructure.startForTests();

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

    @Test
    void aLetterOfTheOldGroupNameIsLeftOutUnmarkedAndRedrivenForTheNewNameWhenAskedTo() throws Exception {
        String session = UUID.randomUUID().toString();
        FixtureRecord stored = customEvent(session, 1);
        FixtureRecord lost = customEvent(session, 2);
        // The renamed writer consumes track.custom: it stored an event there and committed its offset.
        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), List.of(stored));
        await().atMost(Duration.ofSeconds(60)).until(() -> storedCount(stored) == 1);
        awaitEverythingConsumed();
        produceOldGroupsLetter(lost);

        Run oldName = replay("redrive");
        Run oldNameAgain = replay("redrive");

        assertThat(oldName.exit()).isEqualTo(1);
        assertThat(oldName.err()).contains("left out 1 letter: group track-writer does not consume track.custom", "--as-group");
        assertThat(oldName.out()).contains("redrove 0 letters", "1 group track-writer does not consume track.custom");
        assertThat(oldNameAgain.out()).as("not marked as redriven").contains("1 group track-writer does not consume track.custom")
                .doesNotContain("redriven before");
        assertThat(copiesOf(lost)).as("nothing published").isEmpty();

        Run newName = replay("redrive", "--group", "track-writer", "--as-group", "renamed-writer");

        assertThat(newName.exit()).as(newName.err()).isZero();
        assertThat(newName.out()).contains("redrove 1 letter");
        assertThat(copiesOf(lost)).singleElement()
                .satisfies(record -> assertThat(header(record, TrackHeaders.REDRIVE_GROUP)).isEqualTo("renamed-writer"));
        await().atMost(Duration.ofSeconds(60)).until(() -> storedCount(lost) == 1);
        assertThat(replay("redrive", "--group", "track-writer", "--as-group", "renamed-writer").out()).contains("redrove 0 letters",
                "1 redriven before");
    }

    /** A redrive fenced by another has its open transaction aborted: its records stay in the topic, uncommitted, and are never applied. */
    @Test
    void aRecordOfAnAbortedRedriveTransactionIsNeverStored() throws Exception {
        String session = UUID.randomUUID().toString();
        FixtureRecord aborted = customEvent(session, 1);
        FixtureRecord committed = customEvent(session, 2);

        try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", infra.kafkaBootstrapServers(),
                "transactional.id", "test-redrive-" + session), new StringSerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(redrivenForTheWriter(aborted)).get(30, TimeUnit.SECONDS);
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(redrivenForTheWriter(committed)).get(30, TimeUnit.SECONDS);
            producer.commitTransaction();
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> storedCount(committed) == 1);
        awaitEverythingConsumed();
        assertThat(storedCount(aborted)).isZero();
    }

    private long storedCount(FixtureRecord record) {
        return database.getCollection("custom").countDocuments(Filters.eq("_id", record.eventId()));
    }

    private static void awaitEverythingConsumed() {
        KafkaTestRecords.awaitConsumed(infra.kafkaBootstrapServers(), "renamed-writer", List.of("track.custom"), Duration.ofSeconds(60));
    }

    private static List<ConsumerRecord<String, byte[]>> copiesOf(FixtureRecord record) {
        return KafkaTestRecords.readAll(infra.kafkaBootstrapServers(), "track.custom").stream()
                .filter(copy -> record.eventId().equals(header(copy, TrackHeaders.EVENT_ID))).toList();
    }

    /** As KafkaDeadLetters wrote it while the writer still ran as track-writer (the default group). */
    private static void produceOldGroupsLetter(FixtureRecord record) throws Exception {
        var headers = new RecordHeaders();
        record.headers().forEach((name, value) -> headers.add(name, utf8(value)));
        headers.add(TrackHeaders.DEAD_LETTER_OUTCOME, utf8("refused_by_store"));
        headers.add(TrackHeaders.DEAD_LETTER_REASON, utf8("MongoDB refused the document: since fixed"));
        headers.add(TrackHeaders.DEAD_LETTER_SOURCE, utf8("track.custom:0:0"));
        headers.add(TrackHeaders.DEAD_LETTER_GROUP, utf8("track-writer"));
        try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", infra.kafkaBootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>("track.dead-letter", null, record.key(), record.value(), headers)).get(30, TimeUnit.SECONDS);
        }
    }

    private static ProducerRecord<String, byte[]> redrivenForTheWriter(FixtureRecord record) {
        var headers = new RecordHeaders();
        record.headers().forEach((name, value) -> headers.add(name, utf8(value)));
        headers.add(TrackHeaders.REDRIVE_GROUP, utf8("renamed-writer"));
        headers.add(TrackHeaders.REDRIVEN_FROM, utf8("track.dead-letter:0:0"));
        return new ProducerRecord<>(record.topic(), 0, record.key(), record.value(), headers);
    }

    private static FixtureRecord customEvent(String session, int sequence) {
        return FixtureRecords.of(new CapturedRequest("POST", "/reportData", "application/json", null,
                "{\"type\":\"custom\",\"apikey\":\"demo-project\",\"time\":179564210000" + sequence + ",\"uuid\":\"" + session + "\"}"),
                Instant.parse("2026-11-30T08:00:00Z"));
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run replay(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--bootstrap-servers", infra.kafkaBootstrapServers()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = ReplayCommand.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(all.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
