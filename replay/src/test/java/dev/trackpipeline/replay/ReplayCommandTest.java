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
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The analysts' tool against a real broker holding the 89 captured events, one second apart. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplayCommandTest {

    static final EmbeddedInfrastructure infra = EmbeddedInfrastructure.startForTests();
    static final Instant T0 = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
    static final List<FixtureRecord> records = new ArrayList<>();

    @TempDir
    Path dir;

    private final JsonMapper json = JsonMapper.builder().build();

    @BeforeAll
    static void fillTheTopics() throws Exception {
        TopicNames names = TopicNames.defaults();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", infra.kafkaBootstrapServers()))) {
            List<NewTopic> topics = new ArrayList<>();
            names.eventTopics(new EventFamilies()).forEach(topic -> topics.add(new NewTopic(topic, 6, (short) 1)));
            topics.add(new NewTopic(names.deadLetter(), 1, (short) 1));
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
        }
        List<WebSeeFixtures.CapturedRequest> posts = WebSeeFixtures.load().posts();
        for (int i = 0; i < posts.size(); i++) {
            records.add(FixtureRecords.of(posts.get(i), T0.plusSeconds(i)));
        }
        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), records);
    }

    @AfterAll
    static void stop() {
        infra.close();
    }

    @Test
    void exportsExactlyTheEventsOfARangeFromEveryTopicAndPartition() throws Exception {
        Run run = replay("export", "--from", T0.plusSeconds(10).toString(), "--to", String.valueOf(T0.plusSeconds(20).toEpochMilli()));

        assertThat(run.exit()).isZero();
        List<JsonNode> lines = run.lines();
        assertThat(lines).hasSize(10);
        assertThat(lines).extracting(line -> line.get("eventId").stringValue())
                .containsExactlyInAnyOrderElementsOf(records.subList(10, 20).stream().map(FixtureRecord::eventId).toList());
        for (JsonNode line : lines) {
            FixtureRecord sent = records.stream().filter(record -> record.eventId().equals(line.get("eventId").stringValue())).findFirst().orElseThrow();
            assertThat(json.writeValueAsString(line.get("event"))).isEqualTo(new String(sent.value(), StandardCharsets.UTF_8));
            assertThat(line.get("receivedAt").longValue()).isEqualTo(Long.parseLong(sent.headers().get("track-received-at")));
            assertThat(line.get("topic").stringValue()).isEqualTo(sent.topic());
            assertThat(line.get("apikey").stringValue()).isEqualTo("demo-project");
        }
        assertThat(run.err()).contains("exported 10 events");
    }

    @Test
    void includesTheFromInstantAndExcludesTheToInstant() throws Exception {
        Run first = replay("export", "--from", T0.toString(), "--to", T0.plusSeconds(1).toString());
        Run edge = replay("export", "--from", T0.plusSeconds(88).toString(), "--to", T0.plusSeconds(89).toString());
        Run beforeRetention = replay("export", "--from", T0.minusSeconds(60).toString(), "--to", T0.toString());

        assertThat(first.lines()).extracting(line -> line.get("eventId").stringValue()).containsExactly(records.get(0).eventId());
        assertThat(edge.lines()).extracting(line -> line.get("eventId").stringValue()).containsExactly(records.get(88).eventId());
        assertThat(beforeRetention.exit()).isEqualTo(2);
        assertThat(beforeRetention.err()).contains("--to " + T0 + " is before the oldest event Kafka still keeps (" + T0 + ")");
        assertThat(beforeRetention.lines()).isEmpty();
    }

    @Test
    void filtersByTypeAndProjectAndStopsAtTheLimit() throws Exception {
        assertThat(replay("export", "--type", "error,unhandledrejection").lines()).hasSize(8)
                .allMatch(line -> line.get("topic").stringValue().equals("track.error"));
        assertThat(replay("export", "--type", "xhr").lines()).hasSize(6);
        assertThat(replay("export", "--apikey", "shop").lines()).isEmpty();
        assertThat(replay("export", "--apikey", "demo-project").lines()).hasSize(89);
        assertThat(replay("export", "--limit", "5").lines()).hasSize(5);
    }

    @Test
    void explainsMistakesWithANonZeroExit() throws Exception {
        Run unknownType = replay("export", "--type", "telemetry");
        Run backwards = replay("export", "--from", T0.plusSeconds(5).toString(), "--to", T0.toString());
        Run badTime = replay("export", "--from", "yesterday");

        assertThat(unknownType.exit()).isEqualTo(2);
        assertThat(unknownType.err()).contains("--type: unknown type \"telemetry\", expected one of [error, unhandledrejection");
        assertThat(backwards.exit()).isEqualTo(2);
        assertThat(backwards.err()).contains("--from must be before --to");
        assertThat(badTime.exit()).isEqualTo(2);
        assertThat(badTime.err()).contains("expected ISO-8601 (2026-11-25T10:00:00Z) or epoch milliseconds, got 'yesterday'");
    }

    @Test
    void saysSoWhenTheBrokerIsUnreachable() throws Exception {
        Run run = replay("export", "--bootstrap-servers", "127.0.0.1:" + FreePorts.one(), "--timeout-seconds", "2");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("did not answer within 2 s", "is it running?");
    }

    @Test
    @Order(1) // reads the services' groups before the rebuild tests commit offsets for them
    void summarisesEveryTopicWithItsConsumerLag() throws Exception {
        Run run = replay("topics");

        assertThat(run.exit()).isZero();
        String errorTopic = run.out().lines().filter(line -> line.startsWith("track.error ")).findFirst().orElseThrow();
        assertThat(errorTopic.split("\\s+")).containsSequence("track.error", "6", "168h", "8");
        assertThat(errorTopic).endsWith("8 / 8").contains(T0.plusSeconds(9).toString().substring(0, 16));
        assertThat(run.out()).contains("track.dead-letter", "track.record-screen");
    }

    @Test
    void rebuildMovesAStoppedServicesGroupBackToATimeAfterADryRun() throws Exception {
        commitEverythingAs("track-writer");

        Run dryRun = replay("rebuild", "--target", "writer", "--from", T0.plusSeconds(80).toString(), "--dry-run");

        assertThat(dryRun.exit()).isZero();
        assertThat(dryRun.out()).contains("dry run: 9 records would be re-read by track-writer; nothing changed");
        assertThat(lag("track-writer")).isZero();

        Run rebuild = replay("rebuild", "--target", "writer", "--from", T0.plusSeconds(80).toString());

        assertThat(rebuild.exit()).isZero();
        assertThat(rebuild.out()).contains("moved track-writer back to " + T0.plusSeconds(80) + ": 9 records will be re-read");
        assertThat(lag("track-writer")).isEqualTo(9);
    }

    @Test
    void rebuildRefusesWhileTheServiceIsConsuming() throws Exception {
        try (var running = new org.apache.kafka.clients.consumer.KafkaConsumer<>(Map.<String, Object>of(
                "bootstrap.servers", infra.kafkaBootstrapServers(), "group.id", "track-aggregator"),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(), new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            running.subscribe(TopicNames.defaults().eventTopics(new EventFamilies()));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (running.assignment().isEmpty() && System.nanoTime() < deadline) {
                running.poll(Duration.ofMillis(200));
            }

            Run run = replay("rebuild", "--target", "aggregator", "--from", T0.toString());

            assertThat(run.exit()).isEqualTo(2);
            assertThat(run.err()).contains("consumer group track-aggregator has 1 active member(s); stop the aggregator first");
        }
        assertThat(replay("rebuild", "--target", "dashboard", "--from", T0.toString()).err())
                .contains("--target: expected writer or aggregator, got \"dashboard\"");
    }

    /** Plays a service that has stored everything: its group's offsets at the end of every partition. */
    private static void commitEverythingAs(String group) {
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(Map.<String, Object>of(
                "bootstrap.servers", infra.kafkaBootstrapServers(), "group.id", group),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(), new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            List<org.apache.kafka.common.TopicPartition> partitions = new ArrayList<>();
            TopicNames.defaults().eventTopics(new EventFamilies()).forEach(topic -> consumer.partitionsFor(topic)
                    .forEach(info -> partitions.add(new org.apache.kafka.common.TopicPartition(topic, info.partition()))));
            Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> ends = new java.util.HashMap<>();
            consumer.endOffsets(partitions).forEach((partition, end) -> ends.put(partition, new org.apache.kafka.clients.consumer.OffsetAndMetadata(end)));
            consumer.commitSync(ends);
        }
    }

    private static long lag(String group) throws Exception {
        long lag = 0;
        for (String topic : TopicNames.defaults().eventTopics(new EventFamilies())) {
            long committed = KafkaTestRecords.committedOffsets(infra.kafkaBootstrapServers(), group, topic);
            long produced = records.stream().filter(record -> record.topic().equals(topic)).count();
            lag += produced - committed;
        }
        return lag;
    }

    private record Run(int exit, String out, String err, List<JsonNode> lines) {
    }

    private Run replay(String... args) throws Exception {
        Path output = Files.createTempFile(dir, "export", ".jsonl");
        List<String> all = new ArrayList<>(List.of(args));
        if (args[0].equals("export")) {
            all.addAll(List.of("-o", output.toString()));
        }
        if (all.stream().noneMatch(arg -> arg.equals("--bootstrap-servers"))) {
            all.addAll(List.of("--bootstrap-servers", infra.kafkaBootstrapServers()));
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = ReplayCommand.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute(all.toArray(String[]::new));
        List<JsonNode> lines = Files.readAllLines(output).stream().filter(line -> !line.isBlank()).map(json::readTree).toList();
        return new Run(exit, out.toString(), err.toString(), lines);
    }
}
