package dev.trackpipeline.writer.store;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.InsertManyOptions;
import dev.trackpipeline.model.event.EventFamily;
import java.util.List;
import org.bson.Document;
import org.bson.RawBsonDocument;
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

    /**
     * What an insert did: documents written, documents MongoDB already held, and documents it
     * refused for another reason, by their position in the inserted list.
     */
    public record Inserted(int stored, int duplicates, List<Refused> refused) {

        public Inserted {
            refused = List.copyOf(refused);
        }
    }

    /** A document MongoDB refused, and MongoDB's reason. */
    public record Refused(int index, String reason) {
    }

    /**
     * Inserts the documents, unordered so one refusal does not stop the rest. A duplicate of the
     * event id means the event is already stored (a redelivery or a replay): that is success. A
     * document refused otherwise is reported, for the caller to retry or dead-letter. A failure
     * of the write as a whole (MongoDB unreachable, write concern not met) is thrown, so the batch
     * is retried and its offsets are not committed.
     */
    public Inserted insertAll(EventFamily family, List<RawBsonDocument> documents) {
        try {
            collection(family).withDocumentClass(RawBsonDocument.class).insertMany(documents, new InsertManyOptions().ordered(false));
            return new Inserted(documents.size(), 0, List.of());
        } catch (MongoBulkWriteException e) {
            // A write concern not met, or documents refused because the node cannot take writes now (a
            // stepdown, rights revoked): the store is away, not the documents wrong.
            if (e.getWriteConcernError() != null
                    || e.getWriteErrors().stream().anyMatch(error -> MongoOutages.isUnavailableCode(error.getCode()))) {
                throw e;
            }
            List<BulkWriteError> duplicates = e.getWriteErrors().stream().filter(EventRepository::isDuplicateEventId).toList();
            List<Refused> refused = e.getWriteErrors().stream().filter(error -> !isDuplicateEventId(error))
                    .map(error -> new Refused(error.getIndex(), error.getMessage())).toList();
            return new Inserted(e.getWriteResult().getInsertedCount(), duplicates.size(), refused);
        }
    }

    /** A duplicate key on {@code _id} only: one on any other unique index is a real conflict, not a redelivery. */
    private static boolean isDuplicateEventId(BulkWriteError error) {
        return ErrorCategory.fromErrorCode(error.getCode()) == ErrorCategory.DUPLICATE_KEY
                && error.getMessage() != null && error.getMessage().contains(" index: _id_ ");
    }
}
