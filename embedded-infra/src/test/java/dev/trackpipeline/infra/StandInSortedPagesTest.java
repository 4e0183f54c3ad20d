package dev.trackpipeline.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoClients;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A page of a sorted query on the stand-in's file store: the same answer as sorting every match,
 * while holding only the documents that can still be on the page. Before, the first page of a
 * list over a month of a busy project sorted every match in the heap of the JVM that also holds
 * the Kafka broker, and ran it out of memory.
 */
class StandInSortedPagesTest {

    @TempDir
    Path dataDir;

    @Test
    void aPageIsWhatSortingEveryMatchThenSkippingAndLimitingGives() {
        try (EmbeddedMongoServer server = EmbeddedMongoServer.start(Optional.of(dataDir.resolve("store.mv")), "127.0.0.1",
                FreePorts.one());
             var client = MongoClients.create(server.uri())) {
            var events = client.getDatabase("track").getCollection("error");
            List<Document> inserted = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                // Many ties on time, ids in an order unlike the insertion order, another project between.
                inserted.add(new Document("_id", String.format("%04d", (i * 7_919) % 10_000)).append("apikey", i % 5 == 0 ? "other" : "p")
                        .append("time", (long) (i % 97)).append("message", "m" + i));
            }
            events.insertMany(inserted);
            Bson newestFirst = Sorts.orderBy(Sorts.descending("time"), Sorts.ascending("_id"));
            Comparator<Document> expectedOrder = Comparator.<Document>comparingLong(document -> document.getLong("time")).reversed()
                    .thenComparing(document -> document.getString("_id"));
            List<Document> ofProject = inserted.stream().filter(document -> document.getString("apikey").equals("p"))
                    .sorted(expectedOrder).toList();

            for (int[] skipAndLimit : new int[][] {{0, 21}, {20, 21}, {1_500, 100}, {1_590, 100}, {0, 5_000}}) {
                int skip = skipAndLimit[0];
                int limit = skipAndLimit[1];
                List<Document> page = events.find(Filters.eq("apikey", "p")).sort(newestFirst).skip(skip).limit(limit).into(new ArrayList<>());
                assertThat(page).as("skip %d, limit %d", skip, limit)
                        .isEqualTo(ofProject.stream().skip(skip).limit(limit).toList());

                List<Document> times = events.find(Filters.eq("apikey", "p")).projection(Projections.include("time")).sort(newestFirst)
                        .skip(skip).limit(limit).into(new ArrayList<>());
                assertThat(times).as("skip %d, limit %d, projected", skip, limit).isEqualTo(ofProject.stream().skip(skip).limit(limit)
                        .map(document -> new Document("_id", document.get("_id")).append("time", document.get("time"))).toList());
            }
        }
    }

    /** Counts and aggregations (what the writer's totals and error stats send) answer as MongoDB's would. */
    @Test
    void countsAndAggregationsOverTheFileStoreAnswerAsMongoDBWould() {
        try (EmbeddedMongoServer server = EmbeddedMongoServer.start(Optional.of(dataDir.resolve("store.mv")), "127.0.0.1",
                FreePorts.one());
             var client = MongoClients.create(server.uri())) {
            var events = client.getDatabase("track").getCollection("error");
            List<Document> inserted = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                inserted.add(new Document("_id", "e" + i).append("apikey", i % 4 == 0 ? "other" : "p").append("type", i % 3 == 0 ? "error" : "fetch")
                        .append("time", (long) i));
            }
            events.insertMany(inserted);

            assertThat(events.countDocuments(Filters.eq("apikey", "p"))).isEqualTo(750);
            assertThat(events.countDocuments(Filters.eq("apikey", "p"), new com.mongodb.client.model.CountOptions().limit(101))).isEqualTo(101);
            List<Document> byType = events.aggregate(List.of(com.mongodb.client.model.Aggregates.match(Filters.and(Filters.eq("apikey", "p"),
                            Filters.gte("time", 500L))),
                    com.mongodb.client.model.Aggregates.group("$type", com.mongodb.client.model.Accumulators.sum("count", 1)),
                    com.mongodb.client.model.Aggregates.sort(Sorts.ascending("_id")))).into(new ArrayList<>());
            long errors = inserted.stream().filter(document -> document.getString("apikey").equals("p") && document.getLong("time") >= 500
                    && document.getString("type").equals("error")).count();
            assertThat(byType).extracting(document -> document.get("_id"), document -> ((Number) document.get("count")).longValue())
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("error", errors), org.assertj.core.groups.Tuple.tuple("fetch", 375 - errors));
        }
    }

    /**
     * A count and an aggregation over three times a JVM's heap in documents answer in that JVM
     * (a child with a heap of 96 MB, which stops at its first OutOfMemoryError): the library
     * gathered the whole collection, decoded, before the first stage saw a document, and a count
     * over a month of a busy project ran the stand-in's JVM, and Kafka with it, out of heap.
     */
    @Test
    void aCountAndAnAggregationOverThreeTimesTheHeapInDocumentsAnswerWithinIt() throws Exception {
        Path output = dataDir.resolve("small-heap.out");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx96m",
                "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"), StandInCountInASmallHeap.class.getName(),
                dataDir.resolve("small-heap.mv").toString(), String.valueOf(3 * 96))
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try {
            assertThat(child.waitFor(5, java.util.concurrent.TimeUnit.MINUTES)).as("the child ended within 5 minutes").isTrue();
        } finally {
            child.destroyForcibly();
        }

        assertThat(child.exitValue()).as(java.nio.file.Files.readString(output)).isZero();
        assertThat(java.nio.file.Files.readString(output)).contains("counted 4608 of 4608, grouped 4608");
    }

    @Test
    void aPageHoldsOnlyItsOwnDocumentsWhateverTheCollectionHolds() {
        // Twice the heap in documents of 4 MiB (a thousand at least): sorting them all would run this JVM out of memory.
        int size = 4 * 1024 * 1024;
        long documents = Math.max(1_000, 2 * Runtime.getRuntime().maxMemory() / size + 1);
        Stream<de.bwaldvogel.mongo.bson.Document> collection = Stream.iterate(0L, n -> n + 1).limit(documents)
                .map(n -> new de.bwaldvogel.mongo.bson.Document("time", n % 100).append("_id", n).append("payload", new byte[size]));
        Comparator<de.bwaldvogel.mongo.bson.Document> newestFirst = Comparator.comparingLong(
                (de.bwaldvogel.mongo.bson.Document document) -> (Long) document.get("time")).reversed();

        var page = BoundedSortH2Collection.firstInOrder(collection, newestFirst, 2, 3, UnaryOperator.identity());

        // time 99 first, ties in the order the scan met them: ids 99, 199, 299, ... and the page skips two.
        assertThat(page).extracting(document -> document.get("_id")).containsExactly(299L, 399L, 499L);
    }

    @Test
    void keptDocumentsAreSlimmedOnlyToAProjectionThatKeepsEverySortKey() {
        var document = new de.bwaldvogel.mongo.bson.Document("_id", "a").append("time", 5L).append("apikey", "p").append("big", "x".repeat(100));

        var slimmed = BoundedSortH2Collection.slimming(new de.bwaldvogel.mongo.bson.Document("time", 1), Set.of("time", "_id"), "_id")
                .apply(document);
        assertThat(Map.copyOf(slimmed)).isEqualTo(Map.of("_id", "a", "time", 5L));

        for (var selector : List.of(new de.bwaldvogel.mongo.bson.Document("apikey", 1), new de.bwaldvogel.mongo.bson.Document("big", 0),
                new de.bwaldvogel.mongo.bson.Document("time.value", 1), new de.bwaldvogel.mongo.bson.Document("time", true).append("x", false))) {
            assertThat(BoundedSortH2Collection.slimming(selector, Set.of("time", "_id"), "_id").apply(document)).as(selector.toString())
                    .isSameAs(document);
        }
        assertThat(BoundedSortH2Collection.slimming(null, Set.of("time"), "_id").apply(document)).isSameAs(document);
    }
}
