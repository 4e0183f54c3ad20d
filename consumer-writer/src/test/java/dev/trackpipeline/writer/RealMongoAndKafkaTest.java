package dev.trackpipeline.writer;

import dev.trackpipeline.infra.testing.KafkaTestRecords;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import dev.trackpipeline.model.fixtures.FixtureRecords;
import dev.trackpipeline.model.fixtures.FixtureRecords.FixtureRecord;
import dev.trackpipeline.model.fixtures.WebSeeFixtures;
import com.mongodb.client.model.Projections;
import dev.trackpipeline.model.event.PerformanceEvents;
import dev.trackpipeline.writer.query.ErrorGroupController;
import dev.trackpipeline.writer.query.ErrorQueryController;
import dev.trackpipeline.writer.query.EventOrder;
import dev.trackpipeline.writer.query.RecordScreenController;
import dev.trackpipeline.writer.store.CollectionIndexes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.conversions.Bson;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.mongodb.MongoDBContainer;

/**
 * The same path on the production engines: the official apache/kafka image and MongoDB 8.
 * Runs wherever a Docker engine exists; skipped, and reported as skipped, where none does.
 */
@Testcontainers(disabledWithoutDocker = true)
@SpringBootTest
class RealMongoAndKafkaTest {

    @Container
    static final KafkaContainer kafka = new KafkaContainer("apache/kafka:4.1.2");

    @Container
    static final MongoDBContainer mongo = new MongoDBContainer("mongo:8.0");

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", kafka::getBootstrapServers);
        registry.add("spring.mongodb.uri", () -> mongo.getReplicaSetUrl("track"));
        registry.add("track.projects-file", () -> FixtureRecords.testProjectsFile().toString());
    }

    @Autowired
    MongoDatabase database;

    @Autowired
    CollectionIndexes indexes;

    @Autowired
    ErrorQueryController errors;

    @Autowired
    ErrorGroupController groups;

    @Test
    void storesEveryFixtureEventOnceInRealMongoDb() throws Exception {
        List<FixtureRecord> records = WebSeeFixtures.load().posts().stream()
                .map(request -> FixtureRecords.of(request, Instant.now())).toList();
        List<String> ids = records.stream().map(FixtureRecord::eventId).toList();

        KafkaTestRecords.produce(kafka.getBootstrapServers(), records);
        KafkaTestRecords.produce(kafka.getBootstrapServers(), records);

        await().atMost(Duration.ofSeconds(60)).until(() -> database.getCollection("performance")
                .countDocuments(Filters.in("_id", ids)) == 48);
        assertThat(database.getCollection("error").countDocuments(Filters.in("_id", ids))).isEqualTo(8);
        assertThat(database.getCollection("record-screen").countDocuments(Filters.in("_id", ids))).isEqualTo(5);
    }

    /**
     * Every list the read API serves is read from an index in its order: no in-memory SORT stage,
     * which on a project of a million events would scan them all for one page (the stand-in
     * accepts the indexes but plans nothing, so only real MongoDB can show this).
     */
    @Test
    void everyListQueryIsServedByAnIndexInItsOrderWithoutSortingInMemory() {
        await().atMost(Duration.ofSeconds(60)).until(indexes::created);
        Instant receivedAt = Instant.parse("2026-12-03T10:00:00Z");
        long time = 1795950000000L;
        plantErrors("explained", time, receivedAt);
        for (var sample : WebSeeFixtures.load().ofType("performance")) {
            database.getCollection("performance", RawBsonDocument.class).insertOne(PlantedEvents.document(
                    sample.body().replace("\"apikey\":\"demo-project\"", "\"apikey\":\"explained\""), receivedAt));
        }
        for (var chunk : WebSeeFixtures.load().ofType("recordScreen")) {
            database.getCollection("record-screen", RawBsonDocument.class).insertOne(PlantedEvents.document(
                    chunk.body().replace("\"apikey\":\"demo-project\"", "\"apikey\":\"explained\""), receivedAt));
        }
        Bson window = Filters.and(Filters.eq("apikey", "explained"), Filters.gte("time", time), Filters.lte("time", time + 100));

        for (String collection : List.of("error", "resource", "http")) {
            var events = database.getCollection(collection);
            RawBsonDocument third = events.withDocumentClass(RawBsonDocument.class).find(window).sort(EventOrder.NEWEST_FIRST).skip(2).first();
            Bson afterThird = Filters.and(window, EventOrder.after(EventOrder.cursorAfter(third, collection), collection));

            assertServedByAnIndexInOrder(events.find(window).sort(EventOrder.NEWEST_FIRST).limit(21).explain(), "apikey_time_id");
            assertServedByAnIndexInOrder(events.find(afterThird).sort(EventOrder.NEWEST_FIRST).limit(21).explain(), "apikey_time_id");
            assertServedByAnIndexInOrder(events.find(window).projection(Projections.include("time")).sort(EventOrder.NEWEST_FIRST)
                    .limit(100).explain(), "apikey_time_id");
            // an error group's occurrences (list?fingerprint=) and the first past a drill-down's limit (NewestWithin)
            Bson ofGroup = Filters.and(window, Filters.eq("fingerprint", third.getString("fingerprint").getValue()));
            assertServedByAnIndexInOrder(events.find(ofGroup).sort(EventOrder.NEWEST_FIRST).limit(21).explain(),
                    "apikey_fingerprint_time_id");
            assertServedByAnIndexInOrder(events.find(ofGroup).projection(Projections.include("time")).sort(EventOrder.NEWEST_FIRST)
                    .skip(20_000).limit(1).explain(), "apikey_fingerprint_time_id");
        }
        var http = database.getCollection("http");
        assertServedByAnIndexInOrder(http.find(Filters.and(window, Filters.eq("type", "xhr"))).sort(EventOrder.NEWEST_FIRST).limit(21)
                .explain(), "apikey_type_time_id", "apikey_time_id");
        var performance = database.getCollection("performance");
        assertServedByAnIndexInOrder(performance.find(Filters.and(Filters.eq("apikey", "explained"),
                Filters.in("name", PerformanceEvents.VITALS))).sort(EventOrder.NEWEST_FIRST).limit(21).explain(), "apikey_name_time_id");
        assertServedByAnIndexInOrder(performance.find(Filters.and(Filters.eq("apikey", "explained"), Filters.eq("name", "memory")))
                .sort(EventOrder.NEWEST_FIRST).limit(21).explain(), "apikey_name_time_id");

        var replays = database.getCollection("record-screen");
        Bson recording = Filters.and(Filters.eq("apikey", "explained"), Filters.eq("recordScreenId", "18ca99af-bbca-44ce-b04f-c505dd74c23d"));
        RawBsonDocument firstChunk = replays.withDocumentClass(RawBsonDocument.class).find(recording)
                .sort(RecordScreenController.RECORDED_ORDER).first();
        assertServedByAnIndexInOrder(replays.find(recording).sort(RecordScreenController.RECORDED_ORDER).limit(21).explain(),
                "apikey_recordScreenId_time");
        assertServedByAnIndexInOrder(replays.find(Filters.and(recording, RecordScreenController.after(RecordScreenController.cursorAfter(firstChunk))))
                .sort(RecordScreenController.RECORDED_ORDER).limit(21).explain(), "apikey_recordScreenId_time");
        assertThat(database.getCollection("error").listIndexes().map(index -> index.getString("name")).into(new ArrayList<>()))
                .doesNotContain("apikey_time", "apikey_type_time");
    }

    /**
     * The reads besides the lists: a list's total (a count), the stats and an error group's
     * aggregations, one error by id. Each must find its documents on an index, never by scanning a
     * collection. Checked on the very queries the controllers send, as MongoDB's profiler records
     * them with their plans, so that a change to a pipeline cannot slip past a copy of it here.
     */
    @Test
    void countsSummariesAndLookupsFindTheirDocumentsOnAnIndex() {
        await().atMost(Duration.ofSeconds(60)).until(indexes::created);
        long time = 1795960000000L;
        plantErrors("shop", time, Instant.parse("2026-12-03T11:00:00Z"));
        String bearer = "Bearer shop-read-token";
        Document anError = database.getCollection("error").find(Filters.eq("apikey", "shop")).first();

        database.runCommand(new Document("profile", 2));
        try {
            assertThat(errors.list("shop", time, time + 100, null, null, null, null, 20, null, Map.of(), bearer).data().total()).isEqualTo(30);
            assertThat(errors.list("shop", time, time + 100, "xhr", null, null, null, 20, null, Map.of(), bearer).data().total()).isEqualTo(6);
            assertThat(errors.stats("shop", time, time + 100, 20, bearer).data().total()).isEqualTo(30);
            assertThat(groups.group(anError.getString("fingerprint"), "shop", time, time + 100, 60, bearer).data().count()).isEqualTo(1);
            assertThat(errors.one(anError.getString("_id"), "shop", bearer).data()).containsEntry("id", anError.getString("_id"));
        } finally {
            database.runCommand(new Document("profile", 0));
        }

        List<Document> planned = database.getCollection("system.profile").find(Filters.and(
                Filters.in("ns", "track.error", "track.resource", "track.http"), Filters.exists("planSummary"))).into(new ArrayList<>());
        List<String> plans = planned.stream().map(operation -> operation.getString("planSummary")).toList();
        assertThat(planned).as("aggregations profiled (3 counts, 6 of the stats, 6 of the group)")
                .filteredOn(operation -> operation.get("command", Document.class).containsKey("aggregate")).hasSizeGreaterThanOrEqualTo(15);
        assertThat(plans).allSatisfy(plan -> assertThat(plan).doesNotContain("COLLSCAN"))
                .anySatisfy(plan -> assertThat(plan).contains("{ apikey: 1, time: -1, _id: 1 }"))
                .anySatisfy(plan -> assertThat(plan).contains("{ apikey: 1, fingerprint: 1, time: -1, _id: 1 }"))
                .anySatisfy(plan -> assertThat(plan).containsAnyOf("IDHACK", "{ _id: 1 }"));
        assertThat(planned).filteredOn(operation -> operation.get("command", Document.class).containsKey("find"))
                .isNotEmpty().allSatisfy(find -> assertThat(find.getBoolean("hasSortStage", false)).as(find.toJson()).isFalse());
        // Each aggregation on the index of what it matches: a group's on its fingerprint's, the others on the project's time.
        assertThat(planned).filteredOn(operation -> operation.get("command", Document.class).containsKey("aggregate"))
                .allSatisfy(aggregation -> assertThat(aggregation.getString("planSummary")).as(aggregation.toJson())
                        .contains(aggregation.get("command", Document.class).toJson().contains("\"fingerprint\":")
                                ? "{ apikey: 1, fingerprint: 1, time: -1, _id: 1 }" : "{ apikey: 1, time: -1, _id: 1 }"));
    }

    /** 30 errors of the project, 6 of each error type, three to a millisecond from {@code time} on. */
    private void plantErrors(String apikey, long time, Instant receivedAt) {
        for (int i = 0; i < 30; i++) {
            String type = List.of("error", "resource", "xhr", "fetch", "unhandledrejection").get(i % 5);
            RawBsonDocument document = PlantedEvents.document(PlantedEvents.errorJson(type, apikey, time + i / 3, i, 10), receivedAt);
            database.getCollection(type.equals("xhr") || type.equals("fetch") ? "http" : type.equals("resource") ? "resource" : "error",
                    RawBsonDocument.class).insertOne(document);
        }
    }

    /** The winning plan scans one of the indexes named and has no blocking SORT stage (SORT_MERGE of index scans is fine). */
    private static void assertServedByAnIndexInOrder(Document explained, String... indexNames) {
        Document winningPlan = explained.get("queryPlanner", Document.class).get("winningPlan", Document.class);
        List<Document> stages = new ArrayList<>();
        collectStages(winningPlan, stages);
        assertThat(stages).as(winningPlan.toJson()).extracting(stage -> stage.getString("stage")).contains("IXSCAN").doesNotContain("SORT");
        assertThat(stages).as(winningPlan.toJson()).filteredOn(stage -> "IXSCAN".equals(stage.getString("stage")))
                .extracting(stage -> stage.getString("indexName")).containsAnyOf(indexNames);
    }

    /** Every stage of a plan, classic ({@code inputStage(s)}) or slot-based ({@code queryPlan}). */
    private static void collectStages(Object node, List<Document> stages) {
        if (node instanceof Document document) {
            if (document.get("stage") instanceof String) {
                stages.add(document);
            }
            document.values().forEach(value -> collectStages(value, stages));
        } else if (node instanceof List<?> list) {
            list.forEach(value -> collectStages(value, stages));
        }
    }
}
