package dev.trackpipeline.writer.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.model.Filters;
import dev.trackpipeline.infra.EmbeddedMongoServer;
import dev.trackpipeline.infra.FreePorts;
import java.time.Duration;
import java.util.Optional;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The question the writer asks before it dead-letters records that failed alone for no known
 * reason: does MongoDB take a write at all? Asked of a real MongoDB-wire server over TCP.
 */
class MongoWriteProbeTest {

    final int port = FreePorts.one();
    EmbeddedMongoServer mongo = EmbeddedMongoServer.start(Optional.empty(), "127.0.0.1", port);
    final MongoClient client = MongoClients.create("mongodb://127.0.0.1:" + port
            + "/track?serverSelectionTimeoutMS=1000&connectTimeoutMS=1000");
    final MongoOutages outages = new MongoOutages(client.getDatabase("track"));

    @AfterEach
    void stop() {
        client.close();
        mongo.close();
    }

    /**
     * An insert of one fixed document, the duplicate key of every later probe counting as taken: the
     * primary took and evaluated the write. Never an update, which a least-privilege role for the
     * writer (insert and find on its collections) does not grant, and which would fail the probe
     * for good and halt the writer at its first record that fails alone.
     */
    @Test
    void aServerThatTakesWritesTakesTheProbeAsOneDocumentInsertedOnce() {
        assertThat(outages.takesWrites()).isTrue();
        assertThat(outages.takesWrites()).as("a duplicate key is a write the primary took and evaluated").isTrue();

        var probes = client.getDatabase("track").getCollection(MongoOutages.PROBE_COLLECTION);
        assertThat(probes.countDocuments()).isOne();
        assertThat(probes.find(Filters.eq("_id", "consumer-writer")).first().get("at")).isInstanceOf(java.util.Date.class);
        assertThat(client.getDatabase("track").listCollectionNames().into(new java.util.ArrayList<>()))
                .as("no event collection is touched").containsExactly(MongoOutages.PROBE_COLLECTION);
    }

    /**
     * An insert, never an update: a least-privilege role for the writer (insert and find on its
     * collections) grants no update, and a probe that needs one would fail for good and halt the
     * writer at its first record that fails alone.
     */
    @Test
    void theProbeNeverUpdatesTheDocumentAnEarlierProbeInserted() {
        var probes = client.getDatabase("track").getCollection(MongoOutages.PROBE_COLLECTION);
        java.util.Date earlier = new java.util.Date(0);
        probes.insertOne(new Document("_id", "consumer-writer").append("at", earlier));

        assertThat(outages.takesWrites()).isTrue();

        assertThat(probes.find(Filters.eq("_id", "consumer-writer")).first().get("at")).isEqualTo(earlier);
    }

    @Test
    void aStoppedServerDoesNotTakeTheProbeAndTheProbeSaysSoWithoutThrowing() {
        assertThat(outages.takesWrites()).isTrue();
        mongo.close();

        assertThat(outages.takesWrites()).isFalse();

        mongo = EmbeddedMongoServer.start(Optional.empty(), "127.0.0.1", port);
        // the driver finds the server again at its next heartbeat, not at once
        await().atMost(Duration.ofSeconds(30)).until(outages::takesWrites);
    }

    @Test
    void theProbeDocumentIsSmallAndNamesOnlyTheWriter() {
        outages.takesWrites();

        Document probe = client.getDatabase("track").getCollection(MongoOutages.PROBE_COLLECTION).find().first();
        assertThat(probe.keySet()).containsExactly("_id", "at");
    }
}
