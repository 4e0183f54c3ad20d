package dev.trackpipeline.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.InsertManyOptions;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.bson.BsonBinary;
import org.bson.BsonTimestamp;
import org.bson.Document;
import org.bson.types.Binary;
import org.bson.types.Code;
import org.bson.types.Decimal128;
import org.bson.types.MaxKey;
import org.bson.types.MinKey;
import org.bson.types.ObjectId;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedMongoServerFileStoreTest {

    private static final int BATCH = 500;

    @TempDir
    Path dataDir;

    /*
     * Issue: reading a whole collection of 137,000 documents or more while the writer inserted
     * failed with "MVStoreException: Chunk N not found". A query reads one version of the store
     * for as long as it takes to collect every document, while inserts into the other collections
     * commit new versions. H2's compaction moves live pages out of sparse chunks of the file, and
     * H2 dropped such a chunk once it was older than its retention time (45 s) and the last five
     * versions no longer used it, though the query still did.
     *
     * Here that happens within a read of 150,000 small documents rather than only within a read
     * long enough: the writer's thread compacts after each batch instead of H2's background
     * thread now and then, H2 keeps one version instead of five and no retention time, and its
     * cache holds 1 MB, so the read goes to the file as it does once a collection outgrew the
     * cache. Without the command holding on to its version, three runs of three failed with
     * "Chunk N not found"; with the stand-in's configuration from before, it failed on the second
     * read (its reads took 28 s each), without any of these settings.
     */
    @Test
    void aFullReadOfALargeCollectionWhileAnotherCollectionTakesBatchesReturnsEveryDocument() {
        try (EmbeddedMongoServer server = startOn(dataDir.resolve("mongo/track.mv")); MongoClient mongo = MongoClients.create(server.uri())) {
            MVStore store = ((H2Backend) server.backend()).getMvStore();
            store.setRetentionTime(0);
            store.setVersionsToKeep(1);
            store.setCacheSize(1024);
            MongoCollection<Document> events = mongo.getDatabase("track").getCollection("event");
            AtomicLong inserted = new AtomicLong();
            while (inserted.get() < 150_000) {
                insertBatch(events, inserted);
            }

            MongoCollection<Document> errors = mongo.getDatabase("track").getCollection("error");
            AtomicLong insertedErrors = new AtomicLong();
            AtomicBoolean reading = new AtomicBoolean(true);
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                while (reading.get()) {
                    insertBatch(errors, insertedErrors);
                    store.compact(100, 16 << 20);
                }
            });
            try {
                for (int read = 0; read < 10; read++) {
                    long seen = 0;
                    for (Document ignored : events.find()) {
                        seen++;
                    }
                    assertThat(seen).isEqualTo(inserted.get());
                }
            } finally {
                reading.set(false);
            }
            writer.join();
            assertThat(errors.countDocuments()).isEqualTo(insertedErrors.get());
        }
    }

    /*
     * The stand-in opens mongo-java-server's maps by their names before the library does: were
     * one renamed in a later version, its documents would be Java-serialized again, silently.
     */
    @Test
    void everyMapOfACollectionAndItsIndexesIsWrittenAsBson() {
        try (EmbeddedMongoServer server = startOn(dataDir.resolve("mongo/track.mv")); MongoClient mongo = MongoClients.create(server.uri())) {
            MongoCollection<Document> kept = mongo.getDatabase("track").getCollection("kept");
            kept.createIndex(Indexes.ascending("sessionId"), new IndexOptions().unique(true));
            kept.insertOne(new Document("_id", "a").append("sessionId", "s"));

            MVStore store = ((H2Backend) server.backend()).getMvStore();
            assertThat(store.getMapNames()).filteredOn(name -> name.contains("kept")).hasSize(4).allSatisfy(name -> {
                assertThat(store.openMap(name).getKeyType()).isInstanceOf(BsonObjectDataType.class);
                assertThat(store.openMap(name).getValueType()).isInstanceOf(BsonObjectDataType.class);
            });
        }
    }

    @Test
    void keepsEveryBsonTypeAcrossARestartAsTheInMemoryStandInHoldsIt() {
        Document document = new Document("_id", new ObjectId()).append("string", "ü-text").append("int", 7).append("long", 7L)
                .append("double", 7.5).append("decimal", new Decimal128(new BigDecimal("7.50"))).append("true", true)
                .append("date", new Date(1_795_642_000_123L)).append("null", null).append("objectId", new ObjectId())
                .append("nested", new Document("list", List.of(1, "two", new Document("three", 3.0), List.of()))).append("empty", new Document())
                .append("binary", new Binary(new byte[] {0, 1, 2, (byte) 255})).append("uuid", new BsonBinary(UUID.randomUUID()))
                .append("regex", Pattern.compile("^a.*z$", Pattern.CASE_INSENSITIVE)).append("timestamp", new BsonTimestamp(1_700_000_000, 3))
                .append("min", new MinKey()).append("max", new MaxKey()).append("code", new Code("function () { return 1; }"));
        Path store = dataDir.resolve("mongo/track.mv");
        try (EmbeddedMongoServer server = startOn(store); MongoClient mongo = MongoClients.create(server.uri())) {
            mongo.getDatabase("track").getCollection("kept").insertOne(document);
        }

        Document inMemory;
        MongoServer memory = new MongoServer(new MemoryBackend());
        try (MongoClient mongo = MongoClients.create("mongodb://127.0.0.1:" + memory.bind().getPort())) {
            mongo.getDatabase("track").getCollection("kept").insertOne(document);
            inMemory = mongo.getDatabase("track").getCollection("kept").find().first();
        } finally {
            memory.shutdownNow();
        }
        try (EmbeddedMongoServer restarted = startOn(store); MongoClient mongo = MongoClients.create(restarted.uri())) {
            assertThat(mongo.getDatabase("track").getCollection("kept").find().first()).isEqualTo(inMemory);
        }
    }

    @Test
    void uniqueIndexesStillRefuseDuplicatesAndFindTheirKeysAfterARestart() {
        Path store = dataDir.resolve("mongo/track.mv");
        try (EmbeddedMongoServer server = startOn(store); MongoClient mongo = MongoClients.create(server.uri())) {
            MongoCollection<Document> kept = mongo.getDatabase("track").getCollection("kept");
            kept.createIndex(Indexes.ascending("sessionId", "seq"), new IndexOptions().unique(true));
            kept.insertMany(List.of(new Document("_id", "a").append("sessionId", "s").append("seq", 1),
                    new Document("_id", 2L).append("sessionId", "s").append("seq", 2.5),
                    new Document("_id", new ObjectId()).append("sessionId", null).append("seq", List.of(1, 2))));
        }
        try (EmbeddedMongoServer restarted = startOn(store); MongoClient mongo = MongoClients.create(restarted.uri())) {
            MongoCollection<Document> kept = mongo.getDatabase("track").getCollection("kept");
            assertThat(kept.find(new Document("_id", 2L)).first()).containsEntry("seq", 2.5);
            assertThatThrownBy(() -> kept.insertOne(new Document("_id", "a"))).hasMessageContaining("E11000");
            assertThatThrownBy(() -> kept.insertOne(new Document("_id", "b").append("sessionId", "s").append("seq", 1)))
                    .hasMessageContaining("E11000");
            kept.insertOne(new Document("_id", "c").append("sessionId", "s").append("seq", 3));
            assertThat(kept.countDocuments()).isEqualTo(4);
        }
    }

    /*
     * Files written before the stand-in wrote documents as BSON (H2's Java serialization, its
     * unique indexes ordered by serialized bytes, where a shorter string came first) are the local
     * runs' data directories.
     */
    @Test
    void aStoreWrittenWithH2sDefaultEncodingKeepsItsDocumentsAndItsIdIndex() {
        Path store = dataDir.resolve("track.mv");
        MongoServer before = new MongoServer(new H2Backend(store.toString()));
        try (MongoClient mongo = MongoClients.create("mongodb://127.0.0.1:" + before.bind().getPort())) {
            List<Document> documents = new ArrayList<>();
            for (long n = 0; n < 2_000; n++) {
                documents.add(new Document("_id", "event-" + n).append("n", n));
            }
            mongo.getDatabase("track").getCollection("event").insertMany(documents);
        } finally {
            before.shutdown();
        }

        for (int restart = 0; restart < 2; restart++) {
            try (EmbeddedMongoServer server = startOn(store); MongoClient mongo = MongoClients.create(server.uri())) {
                MongoCollection<Document> events = mongo.getDatabase("track").getCollection("event");
                assertThat(events.countDocuments()).isEqualTo(2_000 + restart);
                for (long n : new long[] {0, 9, 10, 1234, 1999}) {
                    assertThat(events.find(new Document("_id", "event-" + n)).first()).containsEntry("n", n);
                    assertThatThrownBy(() -> events.insertOne(new Document("_id", "event-" + n))).hasMessageContaining("E11000");
                }
                events.insertOne(new Document("_id", "after restart " + restart));
            }
        }
    }

    private static EmbeddedMongoServer startOn(Path store) {
        return EmbeddedMongoServer.start(Optional.of(store), "127.0.0.1", FreePorts.one());
    }

    /** The writer's ids are content hashes, so each batch lands all over the collection's key range. */
    private static void insertBatch(MongoCollection<Document> collection, AtomicLong inserted) {
        List<Document> batch = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            long n = inserted.get() + i;
            batch.add(new Document("_id", eventId(n)).append("apikey", "project-" + n % 7).append("type", "click")
                    .append("time", 1_700_000_000_000L + n).append("n", n));
        }
        collection.insertMany(batch, new InsertManyOptions().ordered(false));
        inserted.addAndGet(BATCH);
    }

    private static String eventId(long n) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(Long.toString(n).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM ships SHA-256", e);
        }
    }
}
