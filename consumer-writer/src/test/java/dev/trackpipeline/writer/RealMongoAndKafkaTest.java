package dev.trackpipeline.writer;

import dev.trackpipeline.infra.testing.KafkaTestRecords;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import dev.trackpipeline.model.fixtures.FixtureRecords;
import dev.trackpipeline.model.fixtures.FixtureRecords.FixtureRecord;
import dev.trackpipeline.model.fixtures.WebSeeFixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.mongodb.MongoDBContainer;

/**
 * The same path on the production engines: the official apache/kafka image and MongoDB 8.
 * Runs wherever a Docker engine exists; skipped, and reported as skipped, where none does.
 */
@Testcontainers(disabledWithoutDocker = true)
@SpringBootTest
class RealMongoAndKafkaTest {

    @Container
    static final KafkaContainer kafka = new KafkaContainer("apache/kafka:4.1.2");

    @Container
    static final MongoDBContainer mongo = new MongoDBContainer("mongo:8.0");

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", kafka::getBootstrapServers);
        registry.add("spring.mongodb.uri", () -> mongo.getReplicaSetUrl("track"));
        registry.add("track.projects-file", () -> FixtureRecords.testProjectsFile().toString());
    }

    @Autowired
    MongoDatabase database;

    @Test
    void storesEveryFixtureEventOnceInRealMongoDb() throws Exception {
        List<FixtureRecord> records = WebSeeFixtures.load().posts().stream()
                .map(request -> FixtureRecords.of(request, Instant.now())).toList();
        List<String> ids = records.stream().map(FixtureRecord::eventId).toList();

        KafkaTestRecords.produce(kafka.getBootstrapServers(), records);
        KafkaTestRecords.produce(kafka.getBootstrapServers(), records);

        await().atMost(Duration.ofSeconds(60)).until(() -> database.getCollection("performance")
                .countDocuments(Filters.in("_id", ids)) == 48);
        assertThat(database.getCollection("error").countDocuments(Filters.in("_id", ids))).isEqualTo(8);
        assertThat(database.getCollection("record-screen").countDocuments(Filters.in("_id", ids))).isEqualTo(5);
    }
}
