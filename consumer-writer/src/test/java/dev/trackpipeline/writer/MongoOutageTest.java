package dev.trackpipeline.writer;

import dev.trackpipeline.infra.testing.KafkaTestRecords;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.MongoClients;
import com.mongodb.client.model.Filters;
import dev.trackpipeline.infra.EmbeddedInfrastructure;
import dev.trackpipeline.infra.InfrastructureSettings;
import dev.trackpipeline.infra.EmbeddedMongoServer;
import dev.trackpipeline.model.fixtures.FixtureRecords;
import dev.trackpipeline.model.fixtures.FixtureRecords.FixtureRecord;
import dev.trackpipeline.model.fixtures.WebSeeFixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** MongoDB goes away under the writer: it must pause, commit nothing, and resume by itself. */
@SpringBootTest(properties = "track.writer.group-id=outage-writer")
class MongoOutageTest {

    static final EmbeddedInfrastructure infra = EmbeddedInfrastructure.startForTests();
    static final int mongoPort = InfrastructureSettings.freePort();
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

    private static long committed() throws Exception {
        return KafkaTestRecords.committedOffsets(infra.kafkaBootstrapServers(), "outage-writer", "track.http");
    }
}
