package dev.trackpipeline.writer.store;

import com.mongodb.MongoCommandException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.model.event.EventFamily;
import dev.trackpipeline.model.event.PerformanceEvents;
import dev.trackpipeline.model.event.ReplayChunkEvents;
import dev.trackpipeline.writer.WriterProperties;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * Creates an index for every query the API runs (each serving its sort too, so that no page is
 * sorted in memory) and a TTL index per family for retention. The
 * writer must start whether or not MongoDB is there (its consumer waits for MongoDB anyway), so
 * when MongoDB is away at start-up the indexes are created once it is back, trying again every
 * {@code RETRY} meanwhile. A retention changed in the configuration is applied to the existing
 * TTL index, and a retention removed drops it: MongoDB would refuse the new definition beside the
 * old one, and a service that cannot start over a changed setting helps no one. Likewise an index
 * of an earlier release whose keys changed is built again, and one a new index replaces is dropped
 * once its replacement is in place, so queries are never left without an index. The MongoDB-wire
 * stand-in accepts these definitions without enforcing them; real MongoDB enforces them.
 */
@Component
public class CollectionIndexes implements ApplicationRunner, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(CollectionIndexes.class);
    static final String RETENTION_INDEX = "retention";
    /** The indexes of earlier releases that the current ones replace. */
    static final List<String> REPLACED_INDEXES = List.of("apikey_time", "apikey_type_time", "apikey_name_time", "apikey_fingerprint_time");
    private static final Duration RETRY = Duration.ofSeconds(5);
    private static final int COMMAND_NOT_FOUND = 59;
    private static final int INDEX_NOT_FOUND = 27;

    private final EventRepository repository;
    private final MongoDatabase database;
    private final EventFamilies families;
    private final WriterProperties properties;
    private final MongoOutages outages;
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "collection-indexes");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicBoolean created = new AtomicBoolean();

    public CollectionIndexes(EventRepository repository, MongoDatabase database, EventFamilies families, WriterProperties properties,
                             MongoOutages outages) {
        this.repository = repository;
        this.database = database;
        this.families = families;
        this.properties = properties;
        this.outages = outages;
    }

    @Override
    public void run(ApplicationArguments args) {
        if (!tryEnsureAll()) {
            retries.scheduleWithFixedDelay(() -> {
                if (retryOnce()) {
                    retries.shutdown();
                }
            }, RETRY.toSeconds(), RETRY.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /**
     * One retry in the background. Whatever it throws is logged and tried again: an exception
     * escaping a scheduled task silently cancels every later run, and the indexes (the retention
     * TTL index among them) would then never be created, with nothing saying so.
     *
     * @return true once every index is in place
     */
    boolean retryOnce() {
        try {
            return tryEnsureAll();
        } catch (RuntimeException e) {
            log.error("Creating MongoDB's indexes failed; trying again in {} s (until then lists may sort in memory and nothing "
                    + "expires): {}", RETRY.toSeconds(), e.toString());
            return false;
        }
    }

    /** Whether every family's indexes are in place. */
    public boolean created() {
        return created.get();
    }

    /** @return true once every index is in place; false when MongoDB is away (anything else is thrown) */
    boolean tryEnsureAll() {
        try {
            ensureAll();
            if (!created.getAndSet(true)) {
                log.info("MongoDB indexes in place for {} collections", families.all().size());
            }
            return true;
        } catch (RuntimeException e) {
            if (!outages.isOutage(e)) {
                throw e;
            }
            log.warn("MongoDB is not reachable, so its indexes are not created yet; trying again in {} s: {}", RETRY.toSeconds(),
                    e.getMessage());
            return false;
        }
    }

    void ensureAll() {
        families.all().forEach(this::ensureIndexes);
    }

    private void ensureIndexes(EventFamily family) {
        MongoCollection<Document> collection = repository.collection(family);
        ensureIndexes(family, collection, collection.listIndexes().into(new ArrayList<>()));
    }

    /**
     * @param existing the collection's indexes as listed a moment ago: another writer starting at
     *                 the same time may have dropped or rebuilt some of them since
     */
    void ensureIndexes(EventFamily family, MongoCollection<Document> collection, List<Document> existing) {
        // Every list sorts by time descending, ties by id (EventOrder): the id in the index spares MongoDB a sort in memory.
        ensureIndex(collection, existing, "apikey_time_id", new Document("apikey", 1).append("time", -1).append("_id", 1));
        ensureIndex(collection, existing, "apikey_type_time_id",
                new Document("apikey", 1).append("type", 1).append("time", -1).append("_id", 1));
        if (family.reportsErrors()) {
            // An error group's occurrences in the lists' order (a drill-down, a list by fingerprint): found, not sorted.
            ensureIndex(collection, existing, "apikey_fingerprint_time_id",
                    new Document("apikey", 1).append("fingerprint", 1).append("time", -1).append("_id", 1));
        }
        if (family instanceof PerformanceEvents) {
            // The performance API reads one kind of sample at a time (LCP, memory, resourceList...).
            ensureIndex(collection, existing, "apikey_name_time_id",
                    new Document("apikey", 1).append("name", 1).append("time", -1).append("_id", 1));
        }
        if (family.name().equals("error") || family.name().equals("record-screen")) {
            collection.createIndex(Indexes.ascending("recordScreenId"), new IndexOptions().name("recordScreenId").sparse(true));
        }
        if (family instanceof ReplayChunkEvents) {
            // A recording is read a page of chunks at a time, in recorded order (RecordScreenController).
            ensureIndex(collection, existing, "apikey_recordScreenId_time", new Document("apikey", 1).append("recordScreenId", 1)
                    .append("time", 1).append("receivedAt", 1).append("_id", 1));
        }
        // Replaced by the indexes above, which lead with the same keys: dropped once those are in place.
        for (String replaced : REPLACED_INDEXES) {
            if (hasIndex(existing, replaced)) {
                log.info("Dropping index {} of {}: replaced by one that also serves the tie-break on _id", replaced, family.name());
                dropIndexIfPresent(collection, replaced);
            }
        }
        ensureRetention(family, collection);
    }

    /**
     * Creates the index, or builds it again when an index of that name has other keys: MongoDB
     * refuses a second definition under one name, and a writer that cannot start over an index
     * of an older release helps no one.
     */
    private static void ensureIndex(MongoCollection<Document> collection, List<Document> existing, String name, Document keys) {
        Optional<Document> current = existing.stream().filter(index -> name.equals(index.getString("name"))).findFirst();
        if (current.isPresent() && !sameKeys(current.get().get("key", Document.class), keys)) {
            log.info("Index {} of {} had keys {}; building it again with {}", name, collection.getNamespace().getCollectionName(),
                    current.get().get("key", Document.class).toJson(), keys.toJson());
            dropIndexIfPresent(collection, name);
        }
        collection.createIndex(keys, new IndexOptions().name(name));
    }

    /**
     * Drops an index that was listed a moment ago. Writers started together (replicas of one
     * deployment) list the same indexes and drop the same ones: the one that comes second finds it
     * gone, which is what it wanted, not a reason to fail start-up.
     */
    private static void dropIndexIfPresent(MongoCollection<Document> collection, String name) {
        try {
            collection.dropIndex(name);
        } catch (MongoCommandException e) {
            if (e.getErrorCode() != INDEX_NOT_FOUND) {
                throw e;
            }
            log.info("Index {} of {} was already dropped (by another writer starting meanwhile)", name,
                    collection.getNamespace().getCollectionName());
        }
    }

    /** The same fields in the same order and directions (1, 1.0 and 1L are one direction). */
    static boolean sameKeys(Document actual, Document wanted) {
        if (actual == null || !new ArrayList<>(actual.keySet()).equals(new ArrayList<>(wanted.keySet()))) {
            return false;
        }
        return wanted.entrySet().stream().allMatch(entry -> direction(actual.get(entry.getKey())).equals(direction(entry.getValue())));
    }

    private static Object direction(Object value) {
        return value instanceof Number number ? (Object) (int) Math.signum(number.doubleValue()) : value;
    }

    private static boolean hasIndex(List<Document> existing, String name) {
        return existing.stream().anyMatch(index -> name.equals(index.getString("name")));
    }

    private void ensureRetention(EventFamily family, MongoCollection<Document> collection) {
        Optional<Duration> wanted = Optional.ofNullable(properties.retention().get(family.name()));
        Optional<Long> existing = collection.listIndexes().into(new ArrayList<>()).stream()
                .filter(index -> RETENTION_INDEX.equals(index.getString("name")))
                .map(index -> index.get("expireAfterSeconds") instanceof Number seconds ? seconds.longValue() : -1L).findFirst();
        if (wanted.isEmpty()) {
            if (existing.isPresent()) {
                log.info("Retention of {} removed from the configuration: its documents are kept from now on", family.name());
                collection.dropIndex(RETENTION_INDEX);
            }
            return;
        }
        long seconds = wanted.get().toSeconds();
        if (existing.isPresent() && existing.get() != seconds) {
            log.info("Retention of {} changed from {} s to {} s", family.name(), existing.get(), seconds);
            changeRetention(family, collection, seconds);
        } else if (existing.isEmpty()) {
            collection.createIndex(Indexes.ascending("receivedAt"),
                    new IndexOptions().name(RETENTION_INDEX).expireAfter(seconds, TimeUnit.SECONDS));
        }
    }

    /** MongoDB changes a TTL in place ({@code collMod}); the stand-in has no collMod, so there the index is built again. */
    private void changeRetention(EventFamily family, MongoCollection<Document> collection, long seconds) {
        try {
            database.runCommand(new Document("collMod", family.name())
                    .append("index", new Document("name", RETENTION_INDEX).append("expireAfterSeconds", seconds)));
        } catch (MongoCommandException e) {
            if (e.getErrorCode() != COMMAND_NOT_FOUND && !String.valueOf(e.getErrorMessage()).contains("no such command")) {
                throw e;
            }
            collection.dropIndex(RETENTION_INDEX);
            collection.createIndex(Indexes.ascending("receivedAt"),
                    new IndexOptions().name(RETENTION_INDEX).expireAfter(seconds, TimeUnit.SECONDS));
        }
    }

    @Override
    public void destroy() {
        retries.shutdownNow();
    }
}
