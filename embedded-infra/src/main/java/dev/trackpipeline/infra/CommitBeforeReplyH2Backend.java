package dev.trackpipeline.infra;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.message.MongoQuery;
import io.netty.channel.Channel;
import java.nio.file.Path;
import java.util.List;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * The stand-in's file store, made to keep what it acknowledged. H2's store commits on a timer (a
 * second by default), so a killed server would lose writes it had already answered, and the
 * writer, having committed its Kafka offsets on that answer, would never offer them again. Real
 * MongoDB keeps an acknowledged write through a process kill; so does this store, by committing to
 * the file (the operating system's cache, which outlives the process) before each reply leaves.
 * Every command of either wire protocol comes through {@code handleCommand}. A commit with nothing
 * changed costs nothing, so reads pay nothing for it.
 *
 * <p>A command also holds on to the store version it started on until it has answered, as H2's
 * own transactions do. A query reads the whole collection at one version while other
 * collections' inserts commit new ones and H2's compaction moves live pages out of sparse chunks
 * of the file; H2 dropped such a chunk once it was older than its retention time (45 s) and the
 * last five versions no longer used it, whoever was still reading it. A read of a large
 * collection then failed with "Chunk N not found".
 *
 * <p>Documents and index keys are written by {@link BsonObjectDataType} rather than H2's Java
 * serialization.
 */
final class CommitBeforeReplyH2Backend extends H2Backend {

    /*
     * Pages H2 keeps deserialized, by its estimate of their heap: its default, stated. Inserting
     * 400,000 of the writer's documents ran as fast with 16 MB as with 64 (MongoStandInInsertRate).
     */
    private static final int CACHE_MB = 16;

    /*
     * H2's default, 90, has its background thread rewrite chunks whenever their fill rate falls
     * under about 60 % while the store is busy. Inserts of random ids (the writer's are content
     * hashes) leave every chunk sparse, so it rewrote chunks without end, under the lock every
     * commit waits for: inserting into five collections fell from 1,930 to 440 documents/s in one
     * run as the store grew, and still dipped to 700 with documents written as BSON, its insert
     * thread waiting 12 s of 30 on that lock. At 50 H2 compacts only while the store is idle.
     */
    private static final int AUTO_COMPACT_FILL_RATE = 50;

    /* Marks a store whose unique indexes are ordered by BsonObjectDataType. */
    private static final String FORMAT_MAP = "$stand-in";
    private static final String FORMAT_KEY = "format";
    private static final int BSON_FORMAT = 2;

    private static final String INDEX_MAP_INFIX = "._index_";

    private CommitBeforeReplyH2Backend(MVStore store) {
        super(store);
    }

    static CommitBeforeReplyH2Backend open(Path file) {
        MVStore store = new MVStore.Builder().fileName(file.toString()).cacheSize(CACHE_MB).autoCompactFillRate(AUTO_COMPACT_FILL_RATE)
                .open();
        try {
            dropIndexesOrderedTheOldWay(store);
            CommitBeforeReplyH2Backend backend = new CommitBeforeReplyH2Backend(store);
            backend.commit(); // the indexes it rebuilt while opening
            return backend;
        } catch (RuntimeException e) {
            store.closeImmediately();
            throw e;
        }
    }

    /**
     * A store written before {@link BsonObjectDataType} has its unique indexes sorted by their
     * Java-serialized bytes, where the new comparison would not find their keys. Emptied, each is
     * rebuilt from its collection when the backend opens it; the documents read as they are.
     */
    private static void dropIndexesOrderedTheOldWay(MVStore store) {
        MVMap<String, Integer> format = store.openMap(FORMAT_MAP);
        if (Integer.valueOf(BSON_FORMAT).equals(format.get(FORMAT_KEY))) {
            return;
        }
        for (String name : store.getMapNames()) {
            if (name.contains(INDEX_MAP_INFIX)) {
                openMap(store, name).clear();
            }
        }
        format.put(FORMAT_KEY, BSON_FORMAT);
        store.commit();
    }

    /** Opened here before H2Database opens it by name, which then finds it open with these types. */
    private static MVMap<Object, Object> openMap(MVStore store, String name) {
        return store.openMap(name, new MVMap.Builder<Object, Object>().keyType(new BsonObjectDataType()).valueType(new BsonObjectDataType()));
    }

    @Override
    public Document handleCommand(Channel channel, String database, String command, Document query) {
        MVStore.TxCounter reading = getMvStore().registerVersionUsage();
        try {
            return super.handleCommand(channel, database, command, query);
        } finally {
            try {
                commit(); // also after a refusal: an unordered insert may have stored part of its batch
            } finally {
                getMvStore().deregisterVersionUsage(reading);
            }
        }
    }

    @Override
    public QueryResult handleQuery(MongoQuery query) {
        MVStore.TxCounter reading = getMvStore().registerVersionUsage();
        try {
            return super.handleQuery(query);
        } finally {
            getMvStore().deregisterVersionUsage(reading);
        }
    }

    @Override
    protected MongoDatabase openOrCreateDatabase(String databaseName) {
        return new BsonH2Database(databaseName);
    }

    /*
     * H2Database opens its maps with H2's default types and opens them while it is being
     * constructed, before a field of a subclass is set: an inner class reaches the store through
     * its enclosing backend, whose reference Java sets first.
     */
    private final class BsonH2Database extends H2Database {

        BsonH2Database(String databaseName) {
            super(databaseName, CommitBeforeReplyH2Backend.this.getMvStore(), CommitBeforeReplyH2Backend.this.getCursorRegistry());
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"}) // the maps' values are what BsonObjectDataType reads: documents, and metadata
        protected MongoCollection<Object> openOrCreateCollection(String collectionName, CollectionOptions options) {
            String namespace = getFullCollectionNamespace(collectionName);
            MVMap data = openMap(store(), "databases." + namespace);
            MVMap meta = openMap(store(), "meta." + namespace);
            return new BoundedSortH2Collection(this, collectionName, options, data, meta, CommitBeforeReplyH2Backend.this.getCursorRegistry());
        }

        @Override
        protected Index<Object> openOrCreateUniqueIndex(String collectionName, String indexName, List<IndexKey> keys, boolean sparse) {
            openMap(store(), getFullCollectionNamespace(collectionName) + INDEX_MAP_INFIX + indexName);
            return super.openOrCreateUniqueIndex(collectionName, indexName, keys, sparse);
        }

        private MVStore store() {
            return CommitBeforeReplyH2Backend.this.getMvStore();
        }
    }
}
