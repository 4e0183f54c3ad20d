package dev.trackpipeline.writer.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoCommandException;
import com.mongodb.MongoSocketOpenException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.ServerAddress;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.bulk.BulkWriteResult;
import java.util.List;
import java.util.Set;
import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;

/** Which failures the writer waits out (MongoDB away) and which are about its documents. */
class MongoOutagesTest {

    final MongoOutages outages = new MongoOutages(null);

    @Test
    void waitsOutNoConnectionNoServerAndACauseOfEither() {
        assertThat(outages.isOutage(new MongoTimeoutException("no server"))).isTrue();
        assertThat(outages.isOutage(new IllegalStateException("wrapped",
                new MongoSocketOpenException("refused", new ServerAddress())))).isTrue();
    }

    /** Rights revoked, a stepdown, a quota: MongoDB refuses every document alike, per document. */
    @Test
    void waitsOutDocumentsRefusedBecauseTheNodeCannotTakeWritesNow() {
        assertThat(outages.isOutage(bulkWriteError(13, "not authorized on track to execute command"))).isTrue();
        assertThat(outages.isOutage(bulkWriteError(10107, "not primary"))).isTrue();
        assertThat(outages.isOutage(bulkWriteError(8000, "you are over your space quota"))).isTrue();
    }

    /** Contention and a busy node pass on a retry: dead-lettering them would lose nothing but good events. */
    @Test
    void waitsOutWriteConflictsLocksAndATemporarilyUnavailableNode() {
        assertThat(outages.isOutage(bulkWriteError(112, "WriteConflict error: this operation conflicted with another operation"))).isTrue();
        assertThat(outages.isOutage(bulkWriteError(24, "Unable to acquire lock"))).isTrue();
        assertThat(outages.isOutage(bulkWriteError(46, "lock busy"))).isTrue();
        assertThat(outages.isOutage(bulkWriteError(365, "cache pressure: temporarily unavailable"))).isTrue();
    }

    /**
     * A shard away, or mongos routing on a stale view of the chunks, refuses documents per document:
     * taken for the documents' fault they would be dead-lettered as refused_by_store after three
     * attempts, every document of the shard alike.
     */
    @Test
    void waitsOutDocumentsRefusedBecauseAShardOfAClusterIsAwayOrStale() {
        assertThat(outages.isOutage(bulkWriteError(133, "Could not find host matching read preference { mode: \"primary\" }"))).isTrue();
        assertThat(outages.isOutage(bulkWriteError(202, "Couldn't get a connection within the time limit"))).isTrue();
        assertThat(outages.isOutage(bulkWriteError(70, "Shard shard-02 not found"))).isTrue();
        assertThat(outages.isOutage(bulkWriteError(63, "stale shard version"))).isTrue();
        assertThat(outages.isOutage(bulkWriteError(150, "stale epoch"))).isTrue();
        assertThat(MongoOutages.isUnavailableCode(133)).isTrue();
    }

    /** The write probe's refusal for want of a right is told apart, so the log can name the right. */
    @Test
    void tellsARefusalForWantOfARightFromOtherFailures() {
        assertThat(MongoOutages.isUnauthorized(bulkWriteError(13, "not authorized on track to execute command { insert: \"write-probe\" }")))
                .isTrue();
        assertThat(MongoOutages.isUnauthorized(new MongoCommandException(BsonDocument.parse(
                "{ok: 0, code: 13, codeName: 'Unauthorized', errmsg: 'not authorized on track to execute command'}"), new ServerAddress())))
                .isTrue();
        assertThat(MongoOutages.isUnauthorized(bulkWriteError(11000, "E11000 duplicate key error"))).isFalse();
        assertThat(MongoOutages.isUnauthorized(new MongoTimeoutException("no server"))).isFalse();
    }

    @Test
    void takesAnyOtherRefusalForOneAboutTheDocuments() {
        assertThat(outages.isOutage(bulkWriteError(11000, "E11000 duplicate key error"))).isFalse();
        assertThat(outages.isOutage(bulkWriteError(121, "Document failed validation"))).isFalse();
        assertThat(outages.isOutage(new IllegalArgumentException("Conversion to Decimal128 would require inexact rounding"))).isFalse();
    }

    private static MongoBulkWriteException bulkWriteError(int code, String message) {
        return new MongoBulkWriteException(BulkWriteResult.acknowledged(0, 0, 0, 0, List.of(), List.of()),
                List.of(new BulkWriteError(code, message, new BsonDocument(), 0)), null, new ServerAddress(), Set.of());
    }
}
