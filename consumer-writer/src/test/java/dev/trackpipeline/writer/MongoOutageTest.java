package dev.trackpipeline.writer;

import dev.trackpipeline.infra.FreePorts;
import dev.trackpipeline.infra.testing.KafkaTestRecords;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.MongoClients;
import com.mongodb.client.model.Filters;
import dev.trackpipeline.infra.EmbeddedInfrastructure;
import dev.trackpipeline.infra.EmbeddedMongoServer;
import dev.trackpipeline.model.fixtures.FixtureRecords;
import dev.trackpipeline.model.fixtures.FixtureRecords.FixtureRecord;
import dev.trackpipeline.model.fixtures.WebSeeFixtures;
import dev.trackpipeline.model.kafka.TrackHeaders;
import dev.trackpipeline.model.metrics.TrackMeters;
import dev.trackpipeline.runtime.ConsumerProgress;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.contributor.Status;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** MongoDB goes away under the writer: it must pause, commit nothing, and resume by itself. */
@SpringBootTest(properties = {"track.writer.group-id=outage-writer", "track.consumer.stalled-after=2s",
        "track.consumer.lag-interval=500ms"})
class MongoOutageTest {

    static final EmbeddedInfrastructure infra = EmbeddedInfrastructure.startForTests();
    static final int mongoPort = FreePorts.one();
    static EmbeddedMongoServer mongo = EmbeddedMongoServer.start(Optional.empty(), "127.0.0.1", mongoPort);
    static final String MONGO_URI = "mongodb://127.0.0.1:" + mongoPort + "/track?serverSelectionTimeoutMS=1000&connectTimeoutMS=1000";

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", infra::kafkaBootstrapServers);
        registry.add("spring.mongodb.uri", () -> MONGO_URI);
        registry.add("track.projects-file", () -> FixtureRecords.testProjectsFile().toString());
    }

    @AfterAll
    static void stop() {
        mongo.close();
        infra.close();
    }

    @Test
    void pausesWithoutCommittingWhileMongoIsDownAndStoresEverythingOnceItIsBack() throws Exception {
        List<FixtureRecord> records = WebSeeFixtures.load().ofType("xhr").stream()
                .map(request -> FixtureRecords.of(request, Instant.now())).toList();
        mongo.close();

        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), records);

        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).until(() -> committed() == 0);
        mongo = EmbeddedMongoServer.start(Optional.empty(), "127.0.0.1", mongoPort);
        try (var client = MongoClients.create(MONGO_URI)) {
            var http = client.getDatabase("track").getCollection("http");
            List<String> ids = records.stream().map(FixtureRecord::eventId).toList();
            await().atMost(Duration.ofSeconds(60)).until(() -> http.countDocuments(Filters.in("_id", ids)) == records.size());
            assertThat(http.countDocuments()).isEqualTo(6);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> committed() == 6);
    }

    /**
     * The poison record is set aside while MongoDB is down; once it is back, the poison alone goes to
     * the dead-letter topic (a whole-batch retry used to send every record of the batch there).
     * Meanwhile the stall shows in the health and the metrics.
     */
    @Test
    void aPoisonRecordDuringTheOutageIsDeadLetteredAloneOnceMongoIsBack(@Autowired ConsumerProgress progress,
                                                                        @Autowired MeterRegistry meters,
                                                                        @Autowired HealthEndpoint health) throws Exception {
        List<FixtureRecord> whiteScreens = WebSeeFixtures.load().ofType("whiteScreen").stream()
                .map(request -> FixtureRecords.of(request, Instant.now())).toList();
        FixtureRecord first = whiteScreens.get(0);
        Map<String, String> withoutEventId = new HashMap<>(first.headers());
        withoutEventId.remove(TrackHeaders.EVENT_ID);
        FixtureRecord poison = new FixtureRecord("poison", "whiteScreen", first.topic(), first.key(), first.value(), withoutEventId);
        List<FixtureRecord> records = new ArrayList<>(whiteScreens.subList(0, 7));
        records.add(poison);
        records.addAll(whiteScreens.subList(7, whiteScreens.size()));
        mongo.close();

        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), records);

        await().atMost(Duration.ofSeconds(20)).until(() -> progress.health().getStatus().equals(Status.DOWN));
        assertThat(progress.health().getDetails().get("lastFailure").toString()).contains("MongoTimeoutException");
        assertThat(meters.get(TrackMeters.CONSUME_FAILING).gauge().value()).isGreaterThan(2);
        assertThat(meters.get(TrackMeters.CONSUME_OLDEST_UNSTORED).gauge().value()).isGreaterThan(2);
        assertThat(whiteScreenCommitted()).isZero();
        // Not ready, for the orchestrator to take out of service; still alive: a restart would not bring MongoDB back.
        assertThat(health.healthForPath("readiness").getStatus()).isEqualTo(Status.DOWN);
        assertThat(health.healthForPath("liveness").getStatus()).isEqualTo(Status.UP);
        // Kafka's own lag counts from the fetch position, which has moved past the batch: this one has not.
        await().atMost(Duration.ofSeconds(10)).until(() -> meters.get(TrackMeters.CONSUME_COMMITTED_LAG).gauge().value() >= 15);
        mongo = EmbeddedMongoServer.start(Optional.empty(), "127.0.0.1", mongoPort);

        await().atMost(Duration.ofSeconds(60)).until(() -> whiteScreenCommitted() == 15);
        try (var client = MongoClients.create(MONGO_URI)) {
            assertThat(client.getDatabase("track").getCollection("white-screen").countDocuments()).isEqualTo(14);
        }
        List<ConsumerRecord<String, byte[]>> deadLetters = KafkaTestRecords.readAll(infra.kafkaBootstrapServers(), "track.dead-letter");
        assertThat(deadLetters).singleElement().satisfies(letter ->
                assertThat(new String(letter.headers().lastHeader(TrackHeaders.DEAD_LETTER_REASON).value(), StandardCharsets.UTF_8))
                        .isEqualTo("header track-event-id: is missing"));
        assertThat(progress.health().getStatus()).isEqualTo(Status.UP);
        assertThat(health.healthForPath("readiness").getStatus()).isEqualTo(Status.UP);
        assertThat(meters.get(TrackMeters.CONSUME_FAILING).gauge().value()).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> meters.get(TrackMeters.CONSUME_COMMITTED_LAG).gauge().value() == 0);
    }

    private static long committed() throws Exception {
        return KafkaTestRecords.committedOffsets(infra.kafkaBootstrapServers(), "outage-writer", "track.http");
    }

    private static long whiteScreenCommitted() throws Exception {
        return KafkaTestRecords.committedOffsets(infra.kafkaBootstrapServers(), "outage-writer", "track.white-screen");
    }
}
