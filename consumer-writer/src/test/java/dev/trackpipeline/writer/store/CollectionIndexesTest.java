package dev.trackpipeline.writer.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.IndexOptions;
import dev.trackpipeline.infra.EmbeddedMongoServer;
import dev.trackpipeline.infra.FreePorts;
import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.model.event.EventFamily;
import dev.trackpipeline.writer.WriterProperties;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The indexes of a database an earlier release created are brought to the current definitions at
 * start-up, without leaving a query without an index meanwhile. Each test has a database of its
 * own: the stand-in's dropIndexes removes the first index of that name it lists in the database,
 * whichever collection it belongs to.
 */
class CollectionIndexesTest {

    static final EmbeddedMongoServer mongo = EmbeddedMongoServer.start(Optional.empty(), "127.0.0.1", FreePorts.one());
    static final MongoClient client = MongoClients.create(mongo.uri());

    final MongoDatabase database = client.getDatabase("indexes-" + UUID.randomUUID().toString().substring(0, 8));

    @AfterAll
    static void stop() {
        client.close();
        mongo.close();
    }

    @Test
    void replacesTheIndexesOfAnEarlierReleaseWithOnesThatAlsoServeTheTieBreakOnId() {
        database.getCollection("error").createIndex(new Document("apikey", 1).append("time", -1), new IndexOptions().name("apikey_time"));
        database.getCollection("error").createIndex(new Document("apikey", 1).append("type", 1).append("time", -1),
                new IndexOptions().name("apikey_type_time"));
        database.getCollection("performance").createIndex(new Document("apikey", 1).append("name", 1).append("time", -1),
                new IndexOptions().name("apikey_name_time"));

        indexes().run(null);

        assertThat(names("error")).contains("apikey_time_id", "apikey_type_time_id").doesNotContain("apikey_time", "apikey_type_time");
        assertThat(names("performance")).contains("apikey_name_time_id").doesNotContain("apikey_name_time");
        assertThat(keys("error", "apikey_time_id")).isEqualTo(new Document("apikey", 1).append("time", -1).append("_id", 1));
    }

    @Test
    void buildsAnIndexAgainWhenAnEarlierDefinitionGaveItsNameOtherKeys() {
        database.getCollection("error").createIndex(new Document("apikey", 1).append("time", -1), new IndexOptions().name("apikey_time_id"));

        indexes().run(null);

        assertThat(keys("error", "apikey_time_id")).isEqualTo(new Document("apikey", 1).append("time", -1).append("_id", 1));
    }

    @Test
    void leavesIndexesOfTheCurrentDefinitionsAsTheyAre() {
        indexes().run(null);
        List<Document> before = database.getCollection("record-screen").listIndexes().into(new ArrayList<>());

        indexes().run(null);

        assertThat(database.getCollection("record-screen").listIndexes().into(new ArrayList<>())).isEqualTo(before);
        assertThat(keys("record-screen", "apikey_recordScreenId_time")).isEqualTo(new Document("apikey", 1).append("recordScreenId", 1)
                .append("time", 1).append("receivedAt", 1).append("_id", 1));
    }

    @Test
    void aReplacedIndexThatAnotherWriterStartingMeanwhileDroppedDoesNotStopStartUp() {
        MongoCollection<Document> errors = database.getCollection("error");
        errors.createIndex(new Document("apikey", 1).append("time", -1), new IndexOptions().name("apikey_time"));
        errors.createIndex(new Document("apikey", 1).append("time", 1), new IndexOptions().name("apikey_time_id"));
        List<Document> listed = errors.listIndexes().into(new ArrayList<>());
        // A second replica of the writer, started at the same moment, listed the same indexes and got there first.
        errors.dropIndex("apikey_time");
        errors.dropIndex("apikey_time_id");
        EventFamily error = new EventFamilies().all().stream().filter(family -> family.name().equals("error")).findFirst().orElseThrow();

        indexes().ensureIndexes(error, errors, listed);

        assertThat(names("error")).contains("apikey_time_id", "apikey_type_time_id").doesNotContain("apikey_time");
        assertThat(keys("error", "apikey_time_id")).isEqualTo(new Document("apikey", 1).append("time", -1).append("_id", 1));
    }

    /**
     * A background retry that meets something other than an outage must not end the retries: an
     * exception escaping a scheduled task cancels every later run, and the indexes (retention among
     * them) would never be created.
     */
    @Test
    void aBackgroundRetryThatFailsForAnotherReasonIsTriedAgainRatherThanDropped() {
        java.util.concurrent.atomic.AtomicInteger attempts = new java.util.concurrent.atomic.AtomicInteger();
        CollectionIndexes failingOnce = new CollectionIndexes(new EventRepository(database), database, new EventFamilies(),
                new WriterProperties("indexes-test", Map.of(), Duration.ofSeconds(5), Duration.ofSeconds(60),
                        WriterProperties.Read.DEFAULTS), new MongoOutages(database)) {
            @Override
            boolean tryEnsureAll() {
                if (attempts.incrementAndGet() == 1) {
                    throw new IllegalStateException("index build interrupted");
                }
                return super.tryEnsureAll();
            }
        };

        assertThat(failingOnce.retryOnce()).isFalse();
        assertThat(failingOnce.created()).isFalse();
        assertThat(failingOnce.retryOnce()).isTrue();
        assertThat(failingOnce.created()).isTrue();
    }

    @Test
    void takesOneAndOnePointZeroForTheSameDirection() {
        assertThat(CollectionIndexes.sameKeys(new Document("apikey", 1.0).append("time", -1L), new Document("apikey", 1).append("time", -1)))
                .isTrue();
        assertThat(CollectionIndexes.sameKeys(new Document("apikey", 1).append("time", 1), new Document("apikey", 1).append("time", -1)))
                .isFalse();
        assertThat(CollectionIndexes.sameKeys(new Document("time", -1).append("apikey", 1), new Document("apikey", 1).append("time", -1)))
                .isFalse();
    }

    private CollectionIndexes indexes() {
        return new CollectionIndexes(new EventRepository(database), database, new EventFamilies(),
                new WriterProperties("indexes-test", Map.of(), Duration.ofSeconds(5), Duration.ofSeconds(60),
                WriterProperties.Read.DEFAULTS), new MongoOutages(database));
    }

    private List<String> names(String collection) {
        return database.getCollection(collection).listIndexes().map(index -> index.getString("name")).into(new ArrayList<>());
    }

    private Document keys(String collection, String name) {
        return database.getCollection(collection).listIndexes().into(new ArrayList<>()).stream()
                .filter(index -> name.equals(index.getString("name"))).map(index -> index.get("key", Document.class)).findFirst().orElseThrow();
    }
}
