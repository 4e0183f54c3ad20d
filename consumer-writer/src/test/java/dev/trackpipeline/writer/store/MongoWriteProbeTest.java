package dev.trackpipeline.writer.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.model.Filters;
import dev.trackpipeline.infra.EmbeddedMongoServer;
import dev.trackpipeline.infra.InfrastructureSettings;
import java.util.Optional;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The question the writer asks before it dead-letters records that failed alone for no known
 * reason: does MongoDB take a write at all? Asked of a real MongoDB-wire server over TCP.
 */
class MongoWriteProbeTest {

    final int port = InfrastructureSettings.freePort();
    EmbeddedMongoServer mongo = EmbeddedMongoServer.start(Optional.empty(), "127.0.0.1", port);
    final MongoClient client = MongoClients.create("mongodb://127.0.0.1:" + port
            + "/track?serverSelectionTimeoutMS=1000&connectTimeoutMS=1000");
    final MongoOutages outages = new MongoOutages(client.getDatabase("track"));

    @AfterEach
    void stop() {
        client.close();
        mongo.close();
    }

    @Test
    void aServerThatTakesWritesTakesTheProbeAsOneDocumentOverwrittenEachTime() {
        assertThat(outages.takesWrites()).isTrue();
        assertThat(outages.takesWrites()).isTrue();

        var probes = client.getDatabase("track").getCollection(MongoOutages.PROBE_COLLECTION);
        assertThat(probes.countDocuments()).isOne();
        assertThat(probes.find(Filters.eq("_id", "consumer-writer")).first()).extracting(document -> document.get("at"))
                .isInstanceOf(java.util.Date.class);
        assertThat(client.getDatabase("track").listCollectionNames().into(new java.util.ArrayList<>()))
                .as("no event collection is touched").containsExactly(MongoOutages.PROBE_COLLECTION);
    }

    @Test
    void aStoppedServerDoesNotTakeTheProbeAndTheProbeSaysSoWithoutThrowing() {
        assertThat(outages.takesWrites()).isTrue();
        mongo.close();

        assertThat(outages.takesWrites()).isFalse();

        mongo = EmbeddedMongoServer.start(Optional.empty(), "127.0.0.1", port);
        assertThat(outages.takesWrites()).as("once the server is back").isTrue();
    }

    @Test
    void theProbeDocumentIsSmallAndNamesOnlyTheWriter() {
        outages.takesWrites();

        Document probe = client.getDatabase("track").getCollection(MongoOutages.PROBE_COLLECTION).find().first();
        assertThat(probe.keySet()).containsExactly("_id", "at");
    }
}
