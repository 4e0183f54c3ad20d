package dev.trackpipeline.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import dev.trackpipeline.infra.EmbeddedInfrastructure;
import dev.trackpipeline.infra.EmbeddedMongoServer;
import dev.trackpipeline.infra.FreePorts;
import dev.trackpipeline.infra.testing.KafkaTestRecords;
import dev.trackpipeline.model.fixtures.FixtureRecords;
import dev.trackpipeline.model.fixtures.FixtureRecords.FixtureRecord;
import dev.trackpipeline.model.fixtures.WebSeeFixtures;
import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.writer.store.CollectionIndexes;
import dev.trackpipeline.writer.store.EventRepository;
import dev.trackpipeline.writer.store.MongoOutages;
import java.util.Map;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The writer starts whether or not MongoDB is there, and a retention changed in its settings is applied, not fatal. */
@SpringBootTest(properties = {"track.writer.group-id=start-up-writer", "track.writer.retention.error=3d"})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WriterStartUpTest {

    static final EmbeddedInfrastructure infra = EmbeddedInfrastructure.startForTests();
    static final int mongoPort = FreePorts.one();
    static final String MONGO_URI = "mongodb://127.0.0.1:" + mongoPort + "/track?serverSelectionTimeoutMS=1000&connectTimeoutMS=1000";
    /** Not started: MongoDB is away while the writer starts. */
    static EmbeddedMongoServer mongo;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", infra::kafkaBootstrapServers);
        registry.add("spring.mongodb.uri", () -> MONGO_URI);
        registry.add("track.projects-file", () -> FixtureRecords.testProjectsFile().toString());
    }

    @AfterAll
    static void stop() {
        if (mongo != null) {
            mongo.close();
        }
        infra.close();
    }

    @Autowired
    CollectionIndexes indexes;

    @Test
    @Order(1)
    void startsWithoutMongoAndCreatesItsIndexesAndStoresOnceMongoIsThere() throws Exception {
        assertThat(indexes.created()).isFalse();
        FixtureRecord error = FixtureRecords.of(WebSeeFixtures.load().first("error"), Instant.now());
        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), List.of(error));

        mongo = EmbeddedMongoServer.start(Optional.empty(), "127.0.0.1", mongoPort);

        await().atMost(Duration.ofSeconds(30)).until(indexes::created);
        try (var client = MongoClients.create(MONGO_URI)) {
            MongoDatabase database = client.getDatabase("track");
            assertThat(retentionSeconds(database, "error")).isEqualTo(Duration.ofDays(3).toSeconds());
            await().atMost(Duration.ofSeconds(60)).until(() -> database.getCollection("error").countDocuments() == 1);
        }
    }

    @Test
    @Order(2)
    void appliesARetentionChangedSinceTheIndexWasCreated() {
        try (var client = MongoClients.create(MONGO_URI)) {
            MongoDatabase database = client.getDatabase("track");
            database.getCollection("error").dropIndex("retention");
            database.getCollection("error").createIndex(Indexes.ascending("receivedAt"),
                    new IndexOptions().name("retention").expireAfter(Duration.ofDays(90).toSeconds(), TimeUnit.SECONDS));

            indexes.run(null);

            assertThat(retentionSeconds(database, "error")).isEqualTo(Duration.ofDays(3).toSeconds());
        }
    }

    /**
     * In a database of its own: the stand-in's dropIndexes removes the first index of that name it
     * lists in the database, whichever collection it belongs to.
     */
    @Test
    @Order(3)
    void dropsTheRetentionOfAFamilyNoLongerConfiguredSoItsDocumentsAreKept() {
        try (var client = MongoClients.create(MONGO_URI)) {
            MongoDatabase database = client.getDatabase("retention-removed");
            database.getCollection("custom").createIndex(Indexes.ascending("receivedAt"),
                    new IndexOptions().name("retention").expireAfter(60L, TimeUnit.SECONDS));

            new CollectionIndexes(new EventRepository(database), database, new EventFamilies(),
                    new WriterProperties("start-up-writer", Map.of(), Duration.ofSeconds(5), Duration.ofSeconds(60),
                    WriterProperties.Read.DEFAULTS), new MongoOutages(database)).run(null);

            assertThat(database.getCollection("custom").listIndexes().into(new ArrayList<>()))
                    .extracting(index -> index.getString("name")).contains("apikey_time_id").doesNotContain("retention");
        }
    }

    private static long retentionSeconds(MongoDatabase database, String collection) {
        return database.getCollection(collection).listIndexes().into(new ArrayList<Document>()).stream()
                .filter(index -> "retention".equals(index.getString("name")))
                .map(index -> ((Number) index.get("expireAfterSeconds")).longValue()).findFirst().orElseThrow();
    }
}
