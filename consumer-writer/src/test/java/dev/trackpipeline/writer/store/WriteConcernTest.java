package dev.trackpipeline.writer.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.WriteConcern;

import org.junit.jupiter.api.Test;

/** What MongoDB must have done with a write before the writer counts it stored. */
class WriteConcernTest {

    private final MongoConfiguration configuration = new MongoConfiguration();

    @Test
    void byDefaultAMajorityHoldsEachWriteInItsJournal() {
        assertThat(effective("mongodb://mongo:27017/track", new WriteConcernProperties("majority", true)))
                .isEqualTo(WriteConcern.MAJORITY.withJournal(true));
    }

    @Test
    void aNumberOfMembersOrATagSetCanBeAsked() {
        assertThat(effective("mongodb://mongo:27017/track", new WriteConcernProperties("2", false))).isEqualTo(new WriteConcern(2).withJournal(false));
        assertThat(effective("mongodb://mongo:27017/track", new WriteConcernProperties("two-regions", true)))
                .isEqualTo(new WriteConcern("two-regions").withJournal(true));
    }

    @Test
    void theUrisWriteConcernTakesPrecedence() {
        assertThat(effective("mongodb://mongo:27017/track?w=1&journal=false", new WriteConcernProperties("majority", true)))
                .isEqualTo(new WriteConcern(1).withJournal(false));
    }

    @Test
    void writesNobodyAcknowledgesAreRefusedWhereverTheyAreAsked() {
        assertThatThrownBy(() -> effective("mongodb://mongo:27017/track", new WriteConcernProperties("0", false)))
                .hasMessageStartingWith("track.writer.write-concern.w is 0: MongoDB would acknowledge no write");
        assertThatThrownBy(() -> effective("mongodb://mongo:27017/track?w=0", new WriteConcernProperties("majority", true)))
                .hasMessageStartingWith("w in MONGODB_URI is 0: MongoDB would acknowledge no write");
    }

    private WriteConcern effective(String uri, WriteConcernProperties wanted) {
        MongoClientSettings.Builder settings = MongoClientSettings.builder().applyConnectionString(new ConnectionString(uri));
        configuration.writeConcern(wanted, uri).customize(settings);
        return settings.build().getWriteConcern();
    }
}
