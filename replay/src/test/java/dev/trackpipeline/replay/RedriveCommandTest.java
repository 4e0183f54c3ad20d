package dev.trackpipeline.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.infra.EmbeddedInfrastructure;
import dev.trackpipeline.infra.FreePorts;
import dev.trackpipeline.infra.testing.KafkaTestRecords;
import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.model.fixtures.FixtureRecords;
import dev.trackpipeline.model.fixtures.FixtureRecords.FixtureRecord;
import dev.trackpipeline.model.fixtures.WebSeeFixtures;
import dev.trackpipeline.model.kafka.TopicNames;
import dev.trackpipeline.model.kafka.TrackHeaders;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code replay redrive} against a real broker whose dead-letter topic holds letters as the
 * consumers write them (KafkaDeadLetters): the writer's and the aggregator's, one the writer wrote
 * twice about one record, one without its value and one naming no group. The tests run in order,
 * since each redrive changes what the next finds.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedriveCommandTest {

    static final EmbeddedInfrastructure infra = EmbeddedInfrastructure.startForTests();
    static final TopicNames names = TopicNames.defaults();
    static final Instant RECEIVED_AT = Instant.now().minus(Duration.ofHours(2));
    static final WebSeeFixtures fixtures = WebSeeFixtures.load();
    static final FixtureRecord error = FixtureRecords.of(fixtures.first("error"), RECEIVED_AT);
    static final FixtureRecord xhr = FixtureRecords.of(fixtures.first("xhr"), RECEIVED_AT);
    static final FixtureRecord whiteScreen = FixtureRecords.of(fixtures.first("whiteScreen"), RECEIVED_AT);
    static final FixtureRecord resource = FixtureRecords.of(fixtures.first("resource"), RECEIVED_AT);
    static final String FAILED_ALONE = "storing this record alone failed: IllegalArgumentException: a bug since fixed";

    @BeforeAll
    static void deadLetters() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", infra.kafkaBootstrapServers()))) {
            List<NewTopic> topics = new ArrayList<>();
            names.eventTopics(new EventFamilies()).forEach(topic -> topics.add(new NewTopic(topic, 2, (short) 1)));
            topics.add(new NewTopic(names.deadLetter(), 1, (short) 1));
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
            // The consumers as they run: each group has committed offsets on the topics it reads.
            consumes(admin, "track-writer", error.topic(), xhr.topic());
            consumes(admin, "track-aggregator", whiteScreen.topic());
        }
        try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", infra.kafkaBootstrapServers(), "acks", "all"),
                new StringSerializer(), new ByteArraySerializer())) {
            List<ProducerRecord<String, byte[]>> letters = List.of(
                    letter(error, "track-writer", "unstorable", FAILED_ALONE, error.topic() + ":1:4"),
                    letter(whiteScreen, "track-aggregator", "unstorable", FAILED_ALONE, whiteScreen.topic() + ":0:2"),
                    letter(xhr, "track-writer", "refused_by_store", "MongoDB refused the document: E11000 duplicate key error", xhr.topic() + ":0:1"),
                    withoutValue(letter(resource, "track-writer", "unstorable", FAILED_ALONE, resource.topic() + ":0:9")),
                    // The writer read the record again after a rebuild and gave up on it again: one record, two letters.
                    letter(error, "track-writer", "unstorable", FAILED_ALONE, error.topic() + ":1:4"),
                    letter(resource, null, "unstorable", FAILED_ALONE, resource.topic() + ":1:3"));
            for (ProducerRecord<String, byte[]> letter : letters) {
                producer.send(letter).get(30, TimeUnit.SECONDS);
            }
        }
    }

    @AfterAll
    static void stop() {
        infra.close();
    }

    @Test
    @Order(1)
    void aDryRunCountsWhatWouldBeRedrivenByGroupTopicOutcomeAndReasonAndPublishesNothing() throws Exception {
        Run all = redrive("--dry-run");
        Run writersFailures = redrive("--dry-run", "--group", "writer", "--outcome", "unstorable");
        Run later = redrive("--dry-run", "--from", Instant.now().plus(Duration.ofHours(1)).toString());

        assertThat(all.exit()).as(all.err()).isZero();
        assertThat(all.out()).containsPattern("track-writer +track\\.error +unstorable +1  " + FAILED_ALONE.substring(0, 70) + "\\.\\.\\.")
                .containsPattern("track-aggregator +track\\.white-screen +unstorable +1  ")
                .containsPattern("track-writer +track\\.http +refused_by_store +1  MongoDB refused the document: E11000 duplicate key error")
                .contains("dry run: 3 letters would be redriven (6 letters read: 1 redriven before (--again redrives them again), "
                        + "1 naming no consumer group, 1 whose value was left out for its size");
        assertThat(writersFailures.out()).contains("dry run: 1 letter would be redriven (6 letters read: 3 not selected, 1 redriven before");
        assertThat(later.out()).contains("dry run: 0 letters would be redriven (0 letters read)");
        assertThat(KafkaTestRecords.readAll(infra.kafkaBootstrapServers(), names.eventTopics(new EventFamilies()).toArray(String[]::new)))
                .isEmpty();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", infra.kafkaBootstrapServers()))) {
            assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).doesNotContain(names.redriven());
        }
    }

    @Test
    @Order(2)
    void putsExactlyTheSelectedLetterBackOnItsTopicAndPartitionForItsGroupOnly() throws Exception {
        Run run = redrive("--group", "writer", "--outcome", "unstorable", "--topic", "track.error");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("redrove 1 letter to their event topics, each for its own group only (6 letters read: "
                + "4 not selected, 1 redriven before");
        assertThat(run.err()).as("no writer runs in this test").contains("note: group track-writer has no running member now",
                "--group track-writer --as-group NEW --again");
        List<ConsumerRecord<String, byte[]>> redriven = eventTopicRecords();
        assertThat(redriven).singleElement().satisfies(record -> {
            assertThat(record.topic()).isEqualTo("track.error");
            assertThat(record.partition()).isEqualTo(1);
            assertThat(record.key()).isEqualTo(error.key());
            assertThat(record.value()).isEqualTo(error.value());
            error.headers().forEach((name, value) -> assertThat(header(record, name)).as(name).isEqualTo(value));
            assertThat(header(record, TrackHeaders.REDRIVE_GROUP)).isEqualTo("track-writer");
            assertThat(header(record, TrackHeaders.REDRIVEN_FROM)).isEqualTo(names.deadLetter() + ":0:0");
            assertThat(record.headers()).extracting(Header::key).noneMatch(name -> name.startsWith("track-dead-letter-"));
        });
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", infra.kafkaBootstrapServers()))) {
            ConfigResource log = new ConfigResource(ConfigResource.Type.TOPIC, names.redriven());
            assertThat(admin.describeConfigs(List.of(log)).all().get(10, TimeUnit.SECONDS).get(log)
                    .get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo(TopicConfig.CLEANUP_POLICY_COMPACT);
        }
    }

    /** Twice is once: the aggregator would count a letter redriven again after its dedup window a second time. */
    @Test
    @Order(3)
    void aLetterRedrivenBeforeIsNotRedrivenAgainUnlessAskedTo() throws Exception {
        Run second = redrive("--group", "writer", "--outcome", "unstorable", "--topic", "track.error");

        assertThat(second.exit()).as(second.err()).isZero();
        assertThat(second.out()).contains("redrove 0 letters to their event topics, each for its own group only (6 letters read: "
                + "4 not selected, 2 redriven before");
        assertThat(eventTopicRecords()).hasSize(1);

        Run again = redrive("--group", "track-writer", "--topic", "track.error", "--again");

        assertThat(again.out()).contains("redrove 1 letter");
        assertThat(eventTopicRecords()).hasSize(2).allSatisfy(record -> assertThat(record.value()).isEqualTo(error.value()));
    }

    @Test
    @Order(4)
    void redrivesEveryOtherLetterToTheGroupThatGaveUpOnIt() throws Exception {
        Run run = redrive();

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("redrove 2 letters");
        List<ConsumerRecord<String, byte[]>> records = eventTopicRecords();
        assertThat(records).filteredOn(record -> record.topic().equals(whiteScreen.topic())).singleElement().satisfies(record -> {
            assertThat(record.partition()).isZero();
            assertThat(header(record, TrackHeaders.REDRIVE_GROUP)).isEqualTo("track-aggregator");
            assertThat(header(record, TrackHeaders.REDRIVEN_FROM)).isEqualTo(names.deadLetter() + ":0:1");
        });
        assertThat(records).filteredOn(record -> record.topic().equals(xhr.topic())).singleElement()
                .satisfies(record -> assertThat(header(record, TrackHeaders.REDRIVE_GROUP)).isEqualTo("track-writer"));
        assertThat(records).noneMatch(record -> record.topic().equals(resource.topic()));
        assertThat(redrive().out()).contains("redrove 0 letters");
    }

    /** A redriven copy repeats an event its topic holds already: an analyst's export counts each event once. */
    @Test
    @Order(5)
    void anExportLeavesTheRedrivenCopiesOutUnlessAskedForThemAndThenNamesTheirGroup() throws Exception {
        Path dir = Files.createTempDirectory("redriven-export");
        Path plain = dir.resolve("plain.jsonl");
        Path withRedriven = dir.resolve("with-redriven.jsonl");

        ReplayCommand.commandLine().setErr(new PrintWriter(new StringWriter()))
                .execute("export", "-o", plain.toString(), "--bootstrap-servers", infra.kafkaBootstrapServers());
        ReplayCommand.commandLine().setErr(new PrintWriter(new StringWriter()))
                .execute("export", "--include-redriven", "-o", withRedriven.toString(), "--bootstrap-servers", infra.kafkaBootstrapServers());

        assertThat(Files.readAllLines(plain)).as("every record of the event topics here is a redriven copy").isEmpty();
        assertThat(Files.readAllLines(withRedriven)).hasSize(eventTopicRecords().size())
                .anySatisfy(line -> assertThat(line).contains("\"redrivenFor\":\"track-aggregator\""))
                .allSatisfy(line -> assertThat(line).containsPattern("\"redrivenFor\":\"track-(writer|aggregator)\""));
    }

    @Test
    void explainsMistakesWithANonZeroExitBeforeReadingAnything() throws Exception {
        Run outcome = redrive("--outcome", "poisoned");
        Run topic = redrive("--topic", "track.nope");
        Run group = redrive("--group", "");
        Run asGroupAlone = redrive("--as-group", "writer-2");
        Run asGroupOfTwo = redrive("--group", "writer,aggregator", "--as-group", "writer-2");
        Run backwards = redrive("--from", Instant.now().toString(), "--to", Instant.now().minusSeconds(60).toString());
        Run badTime = redrive("--from", "last week");

        assertThat(outcome.exit()).isEqualTo(2);
        assertThat(outcome.err()).contains("--outcome: unknown outcome \"poisoned\", expected one of [accepted, invalid_json");
        assertThat(topic.exit()).isEqualTo(2);
        assertThat(topic.err()).contains("--topic: \"track.nope\" is no event topic, expected one of [track.error");
        assertThat(group.exit()).isEqualTo(2);
        assertThat(group.err()).contains("--group: expected writer, aggregator or a consumer group's name");
        assertThat(asGroupAlone.exit()).isEqualTo(2);
        assertThat(asGroupAlone.err()).contains("--as-group needs exactly one --group");
        assertThat(asGroupOfTwo.exit()).isEqualTo(2);
        assertThat(backwards.exit()).isEqualTo(2);
        assertThat(backwards.err()).contains("--from must be before --to");
        assertThat(badTime.exit()).isEqualTo(2);
        assertThat(badTime.err()).contains("got 'last week'");
    }

    @Test
    void saysSoWhenTheBrokerIsUnreachable() throws Exception {
        Run run = redrive("--bootstrap-servers", "127.0.0.1:" + FreePorts.one(), "--timeout-seconds", "2");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("did not answer within 2 s", "is it running?");
    }

    private static void consumes(Admin admin, String group, String... topics) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (String topic : topics) {
            for (int partition = 0; partition < 2; partition++) {
                offsets.put(new TopicPartition(topic, partition), new OffsetAndMetadata(0));
            }
        }
        admin.alterConsumerGroupOffsets(group, offsets).all().get(30, TimeUnit.SECONDS);
    }

    /** A dead letter as KafkaDeadLetters writes it: the record's key, value and gateway headers, then why and where. */
    private static ProducerRecord<String, byte[]> letter(FixtureRecord record, String group, String outcome, String reason, String source) {
        var headers = new RecordHeaders();
        record.headers().forEach((name, value) -> headers.add(name, utf8(value)));
        headers.add(TrackHeaders.DEAD_LETTER_OUTCOME, utf8(outcome));
        headers.add(TrackHeaders.DEAD_LETTER_REASON, utf8(reason));
        headers.add(TrackHeaders.DEAD_LETTER_SOURCE, utf8(source));
        if (group != null) {
            headers.add(TrackHeaders.DEAD_LETTER_GROUP, utf8(group));
        }
        return new ProducerRecord<>(names.deadLetter(), null, record.key(), record.value(), headers);
    }

    private static ProducerRecord<String, byte[]> withoutValue(ProducerRecord<String, byte[]> letter) {
        return new ProducerRecord<>(letter.topic(), null, letter.key(), null, letter.headers());
    }

    private static List<ConsumerRecord<String, byte[]>> eventTopicRecords() {
        return KafkaTestRecords.readAll(infra.kafkaBootstrapServers(), names.eventTopics(new EventFamilies()).toArray(String[]::new));
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run redrive(String... args) {
        List<String> all = new ArrayList<>(List.of("redrive"));
        all.addAll(List.of(args));
        if (all.stream().noneMatch(arg -> arg.equals("--bootstrap-servers"))) {
            all.addAll(List.of("--bootstrap-servers", infra.kafkaBootstrapServers()));
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = ReplayCommand.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(all.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }
}
