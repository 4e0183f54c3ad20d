package dev.trackpipeline.writer.store;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.model.event.EventFamily;
import dev.trackpipeline.model.event.PerformanceEvents;
import dev.trackpipeline.writer.WriterProperties;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * Creates, at start-up, an index for every query the API runs and a TTL index per family for
 * retention. The MongoDB-wire stand-in accepts these definitions without enforcing them; real
 * MongoDB enforces them.
 */
@Component
public class CollectionIndexes implements ApplicationRunner {

    private final EventRepository repository;
    private final EventFamilies families;
    private final WriterProperties properties;

    public CollectionIndexes(EventRepository repository, EventFamilies families, WriterProperties properties) {
        this.repository = repository;
        this.families = families;
        this.properties = properties;
    }

    @Override
    public void run(ApplicationArguments args) {
        families.all().forEach(this::ensureIndexes);
    }

    void ensureIndexes(EventFamily family) {
        MongoCollection<Document> collection = repository.collection(family);
        collection.createIndex(Indexes.compoundIndex(Indexes.ascending("apikey"), Indexes.descending("time")),
                new IndexOptions().name("apikey_time"));
        collection.createIndex(Indexes.compoundIndex(Indexes.ascending("apikey"), Indexes.ascending("type"), Indexes.descending("time")),
                new IndexOptions().name("apikey_type_time"));
        if (family.reportsErrors()) {
            collection.createIndex(Indexes.compoundIndex(Indexes.ascending("apikey"), Indexes.ascending("fingerprint"),
                    Indexes.descending("time")), new IndexOptions().name("apikey_fingerprint_time"));
        }
        if (family instanceof PerformanceEvents) {
            // The performance API reads one kind of sample at a time (LCP, memory, resourceList...).
            collection.createIndex(Indexes.compoundIndex(Indexes.ascending("apikey"), Indexes.ascending("name"),
                    Indexes.descending("time")), new IndexOptions().name("apikey_name_time"));
        }
        if (family.name().equals("error") || family.name().equals("record-screen")) {
            collection.createIndex(Indexes.ascending("recordScreenId"), new IndexOptions().name("recordScreenId").sparse(true));
        }
        Duration retention = properties.retention().get(family.name());
        if (retention != null) {
            collection.createIndex(Indexes.ascending("receivedAt"),
                    new IndexOptions().name("retention").expireAfter(retention.toSeconds(), TimeUnit.SECONDS));
        }
    }
}
