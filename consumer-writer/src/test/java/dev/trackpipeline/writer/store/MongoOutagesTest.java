package dev.trackpipeline.writer.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.MongoBulkWriteException;
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
