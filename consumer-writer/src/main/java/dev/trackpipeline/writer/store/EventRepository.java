package dev.trackpipeline.writer.store;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.InsertManyOptions;
import dev.trackpipeline.model.event.EventFamily;
import java.util.List;
import org.bson.Document;
import org.springframework.stereotype.Component;

/** One collection per event family; inserts are idempotent because {@code _id} is the event id. */
@Component
public class EventRepository {

    private final MongoDatabase database;

    public EventRepository(MongoDatabase database) {
        this.database = database;
    }

    public MongoCollection<Document> collection(EventFamily family) {
        return database.getCollection(family.name());
    }

    /** What an insert did: documents written, and documents MongoDB already held. */
    public record Inserted(int stored, int duplicates) {
    }

    /**
     * Inserts the documents, unordered so one duplicate does not stop the rest. A duplicate key
     * means the event is already stored (a redelivery or a replay): that is success. Any other
     * write error is thrown, so the batch is retried and its offsets are not committed.
     */
    public Inserted insertAll(EventFamily family, List<Document> documents) {
        try {
            collection(family).insertMany(documents, new InsertManyOptions().ordered(false));
            return new Inserted(documents.size(), 0);
        } catch (MongoBulkWriteException e) {
            boolean onlyDuplicates = e.getWriteErrors().stream()
                    .allMatch(error -> ErrorCategory.fromErrorCode(error.getCode()) == ErrorCategory.DUPLICATE_KEY);
            if (!onlyDuplicates || e.getWriteConcernError() != null) {
                throw e;
            }
            return new Inserted(e.getWriteResult().getInsertedCount(), e.getWriteErrors().size());
        }
    }
}
