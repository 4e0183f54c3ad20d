package dev.trackpipeline.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoClients;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import java.util.HashSet;
import java.util.Set;
import org.bson.Document;

/**
 * What a fault run's load left in the stores, against what the gateways answered: every event
 * answered 202 stored, none stored twice, none stored that nobody sent, and the aggregator's
 * count equal to MongoDB's. Read once both consumers have caught up.
 *
 * @param documents the project's documents in MongoDB
 * @param stored    their distinct ids
 * @param counted   what the aggregator's 24 h overview counts
 */
record StoredAndCounted(long documents, Set<Object> stored, long counted) {

    static StoredAndCounted of(LocalPipeline pipeline, String apikey, String readToken) throws Exception {
        Set<Object> stored = new HashSet<>();
        long documents = 0;
        try (var client = MongoClients.create(pipeline.infrastructure().mongoUri())) {
            for (String collection : TestPipelines.COLLECTIONS) {
                // Ids only, in modest batches: the stand-in would otherwise answer with replies over the driver's 48 MB limit.
                for (Document document : client.getDatabase("track").getCollection(collection).find(Filters.eq("apikey", apikey))
                        .projection(Projections.include("_id")).batchSize(1000)) {
                    documents++;
                    stored.add(document.get("_id"));
                }
            }
        }
        return new StoredAndCounted(documents, stored, TestPipelines.countedEvents(pipeline, apikey, readToken));
    }

    /** Nothing answered 202 lost, nothing duplicated, nothing invented, counted = stored, and no answer but 202 and 503. */
    void assertExactlyOnce(FixtureLoad load) {
        assertThat(load.unexpected()).as("answers other than 202 and 503").isEmpty();
        assertThat(documents).as("documents, against distinct ids: none stored twice").isEqualTo(stored.size());
        // A set difference, not containsAll: AssertJ scans the whole set for each id, minutes for 150,000.
        Set<Object> lost = new HashSet<>(load.accepted());
        lost.removeAll(stored);
        assertThat(lost).as("events answered 202 but not stored").isEmpty();
        Set<Object> unaccounted = new HashSet<>(stored);
        unaccounted.removeAll(load.accepted());
        unaccounted.removeAll(load.uncertain());
        assertThat(unaccounted).as("stored events nobody sent").isEmpty();
        assertThat(counted).as("the aggregator counted exactly what MongoDB holds").isEqualTo(documents);
    }
}
