package dev.trackpipeline.writer.store;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoCommandException;
import com.mongodb.MongoConnectionPoolClearedException;
import com.mongodb.MongoException;
import com.mongodb.MongoExecutionTimeoutException;
import com.mongodb.MongoInterruptedException;
import com.mongodb.MongoNodeIsRecoveringException;
import com.mongodb.MongoNotPrimaryException;
import com.mongodb.MongoOperationTimeoutException;
import com.mongodb.MongoSecurityException;
import com.mongodb.MongoServerUnavailableException;
import com.mongodb.MongoSocketException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.MongoWriteConcernException;
import com.mongodb.MongoWriteException;
import com.mongodb.ErrorCategory;
import com.mongodb.client.MongoDatabase;
import dev.trackpipeline.runtime.StoreOutages;
import java.util.Date;
import java.util.Set;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * What counts as MongoDB being away rather than refusing what was written: no connection, a
 * timeout, no primary (an election), a node recovering or shutting down, a write concern not met,
 * credentials refused. The writer waits these out; any other failure is about its documents.
 */
@Component
public class MongoOutages implements StoreOutages {

    /**
     * Server error codes of a node that cannot serve now: HostUnreachable, HostNotFound,
     * NetworkTimeout, ShutdownInProgress, PrimarySteppedDown, ExceededTimeLimit, SocketException,
     * NotWritablePrimary, InterruptedAtShutdown, InterruptedDueToReplStateChange,
     * NotPrimaryNoSecondaryOk, NotPrimaryOrSecondary, StaleConfig (the driver's own retryable list).
     */
    private static final Set<Integer> UNAVAILABLE_CODES = Set.of(6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436, 13388,
            // Unauthorized, AuthenticationFailed (a user's rights revoked), AtlasError (a storage quota): every write alike
            13, 18, 8000,
            // LockTimeout, LockBusy, WriteConflict, TemporarilyUnavailable: contention or a busy node, gone on a retry;
            // taken for the documents' fault they would dead-letter good events after three attempts
            24, 46, 112, 365,
            // A sharded cluster's: StaleShardVersion, ShardNotFound, FailedToSatisfyReadPreference, StaleEpoch,
            // NetworkInterfaceExceededTimeLimit (a shard away, or mongos routing on a stale view of the chunks)
            63, 70, 133, 150, 202);

    /** Where {@link #takesWrites} writes: one document, inserted once, apart from the event collections. */
    public static final String PROBE_COLLECTION = "write-probe";
    private static final String PROBE_ID = "consumer-writer";
    private static final int UNAUTHORIZED = 13;
    private static final Logger log = LoggerFactory.getLogger(MongoOutages.class);

    private final MongoDatabase database;

    public MongoOutages(MongoDatabase database) {
        this.database = database;
    }

    @Override
    public boolean isOutage(Throwable failure) {
        return StoreOutages.anyCause(failure, MongoOutages::isUnavailable);
    }

    /**
     * Inserts one small document with a fixed {@code _id} in {@value #PROBE_COLLECTION}, with the
     * database's write concern; from the second probe on, a duplicate key error, which counts as
     * taken: the primary took the write and evaluated it. An insert, since that is the one right
     * the writer needs anyway (an upsert would need {@code update}, which a least-privilege role
     * lacks). A node that answers pings but takes no writes (rights revoked, a quota, no primary)
     * says so.
     */
    @Override
    public boolean takesWrites() {
        try {
            database.getCollection(PROBE_COLLECTION).insertOne(new Document("_id", PROBE_ID).append("at", new Date()));
            return true;
        } catch (MongoWriteException e) {
            if (e.getError().getCategory() == ErrorCategory.DUPLICATE_KEY) {
                return true;
            }
            return refused(e);
        } catch (RuntimeException e) {
            return refused(e);
        }
    }

    private boolean refused(RuntimeException e) {
        if (StoreOutages.anyCause(e, MongoOutages::isUnauthorized)) {
            log.error("MongoDB refused the write probe for want of a right ({}): the writer's user needs the action insert on the "
                    + "collection {} of database {}, as on the event collections (docs/dead-letters.md); until it has it, the first "
                    + "record that fails alone halts the writer as an outage", e.getMessage(), PROBE_COLLECTION, database.getName());
        } else {
            log.warn("MongoDB did not take a probe write to {}: {}: {}", PROBE_COLLECTION, e.getClass().getSimpleName(), e.getMessage());
        }
        return false;
    }

    /** Whether a failure is MongoDB's Unauthorized (code 13): the user lacks the right for what it asked. */
    static boolean isUnauthorized(Throwable failure) {
        return (failure instanceof MongoCommandException command && command.getErrorCode() == UNAUTHORIZED)
                || (failure instanceof MongoWriteException write && write.getError().getCode() == UNAUTHORIZED)
                || (failure instanceof MongoBulkWriteException bulk && bulk.getWriteErrors().stream().anyMatch(error -> error.getCode() == UNAUTHORIZED));
    }

    /** Whether a server error code, of a command or of one document's write, says MongoDB cannot take writes now. */
    public static boolean isUnavailableCode(int code) {
        return UNAVAILABLE_CODES.contains(code);
    }

    private static boolean isUnavailable(Throwable failure) {
        if (failure instanceof MongoSocketException || failure instanceof MongoTimeoutException
                || failure instanceof MongoOperationTimeoutException || failure instanceof MongoExecutionTimeoutException
                || failure instanceof MongoNotPrimaryException || failure instanceof MongoNodeIsRecoveringException
                || failure instanceof MongoServerUnavailableException || failure instanceof MongoConnectionPoolClearedException
                || failure instanceof MongoWriteConcernException || failure instanceof MongoSecurityException
                || failure instanceof MongoInterruptedException) {
            return true;
        }
        if (failure instanceof MongoBulkWriteException bulk) {
            return bulk.getWriteConcernError() != null
                    || bulk.getWriteErrors().stream().anyMatch(error -> UNAVAILABLE_CODES.contains(error.getCode()));
        }
        if (failure instanceof MongoException mongo && (mongo.hasErrorLabel("RetryableWriteError")
                || mongo.hasErrorLabel(MongoException.TRANSIENT_TRANSACTION_ERROR_LABEL))) {
            return true;
        }
        if (failure instanceof MongoCommandException command) {
            return UNAVAILABLE_CODES.contains(command.getErrorCode());
        }
        // The client closed under the listener (shutdown): nothing about the documents.
        return failure instanceof IllegalStateException && "state should be: open".equals(failure.getMessage());
    }
}
