package dev.trackpipeline.writer.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import com.mongodb.event.CommandSucceededEvent;
import dev.trackpipeline.infra.EmbeddedMongoServer;
import dev.trackpipeline.infra.FreePorts;
import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.runtime.ApiException;
import dev.trackpipeline.writer.PlantedEvents;
import dev.trackpipeline.writer.WriterProperties;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntToLongFunction;
import java.util.function.IntUnaryOperator;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.conversions.Bson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.util.unit.DataSize;

/**
 * Pages of events over the MongoDB-wire stand-in, with the errors API's three collections: what
 * a page holds, where its cursor leads, what its total says, and what it fetches from MongoDB
 * (watched on the wire with the driver's command events).
 */
class EventPagesTest {

    static final EmbeddedMongoServer mongo = EmbeddedMongoServer.start(Optional.empty(), "127.0.0.1", FreePorts.one());
    /** What MongoDB answered to each find and getMore, and the counts asked of it (copied: the driver reuses their buffers). */
    static final List<Reply> cursorReplies = new CopyOnWriteArrayList<>();
    static final List<BsonDocument> aggregations = new CopyOnWriteArrayList<>();
    static final MongoClient client = MongoClients.create(MongoClientSettings.builder()
            .applyConnectionString(new ConnectionString(mongo.uri())).addCommandListener(new CommandListener() {
                @Override
                public void commandStarted(CommandStartedEvent event) {
                    if (event.getCommandName().equals("aggregate")) {
                        aggregations.add(event.getCommand().clone());
                    }
                }

                @Override
                public void commandSucceeded(CommandSucceededEvent event) {
                    if (event.getCommandName().equals("find") || event.getCommandName().equals("getMore")) {
                        cursorReplies.add(new Reply(event.getDatabaseName(), event.getResponse().clone()));
                    }
                }
            }).build());
    static final Instant RECEIVED_AT = Instant.parse("2026-12-01T08:00:00Z");
    static final long T0 = 1795800000000L;
    static final Bson SHOP = Filters.eq("apikey", "shop");
    static final EventFamilies FAMILIES = new EventFamilies();

    /** A database per test: nothing another test stored is in its lists. */
    final MongoDatabase database = client.getDatabase("pages-" + UUID.randomUUID().toString().substring(0, 8));

    @AfterAll
    static void stop() {
        client.close();
        mongo.close();
    }

    @BeforeEach
    void forgetTheWire() {
        cursorReplies.clear();
        aggregations.clear();
    }

    record Reply(String database, BsonDocument response) {
    }

    /** One stored error, where the API's order puts it. */
    /** @param cost what the event costs a page's budget: its BSON bytes and a cost per value ({@link DecodedCost}) */
    record Planted(String id, long time, String collection, int bsonBytes, long cost) {
    }

    static final Comparator<Planted> API_ORDER = Comparator.comparingLong(Planted::time).reversed()
            .thenComparing(Planted::id).thenComparing(Planted::collection);

    @Test
    void theMergedListReachesEveryErrorExactlyOnceNewestFirstByCursorsThroughTiesOnTime() {
        // Six errors share each time, two in each collection.
        List<Planted> planted = plant(61, i -> T0 + i / 6, i -> 10);

        List<EventPages.Page> pages = readByCursors(pages(DataSize.ofMegabytes(4), 10_000, 4), 7);

        assertThat(pages.stream().flatMap(page -> ids(page).stream()).toList()).containsExactlyElementsOf(ids(sorted(planted)));
        assertThat(pages).hasSize(9);
        assertThat(pages.subList(0, 8)).allSatisfy(page -> {
            assertThat(page.list()).hasSize(7);
            assertThat(page.next()).isNotNull();
            assertThat(page.budgetReached()).isFalse();
        });
        assertThat(pages).extracting(EventPages.Page::page).startsWith(1).containsOnlyOnce(1).containsOnly(1, null);
        assertThat(pages.get(8).list()).hasSize(5);
        assertThat(pages.get(8).next()).isNull();
        assertThat(pages).allSatisfy(page -> {
            assertThat(page.total()).isEqualTo(61);
            assertThat(page.totalIsAtLeast()).isFalse();
        });
    }

    @Test
    void aPageByNumberOfTheMergedListHoldsTheEventsAfterThoseOfTheEarlierPagesAndItsCursorContinuesIt() {
        List<Planted> expected = sorted(plant(40, i -> T0 + i / 4, i -> 10));
        EventPages pages = pages(DataSize.ofMegabytes(4), 10_000, 4);

        EventPages.Page third = pages.read("shop", errorCollections(), SHOP, EventPages.request(3, 7, null));
        EventPages.Page afterThird = pages.read("shop", errorCollections(), SHOP, EventPages.request(null, 7, third.next()));
        EventPages.Page sixth = pages.read("shop", errorCollections(), SHOP, EventPages.request(6, 7, null));
        EventPages.Page seventh = pages.read("shop", errorCollections(), SHOP, EventPages.request(7, 7, null));

        assertThat(ids(third)).containsExactlyElementsOf(ids(expected.subList(14, 21)));
        assertThat(third.page()).isEqualTo(3);
        assertThat(third.pageSize()).isEqualTo(7);
        assertThat(ids(afterThird)).containsExactlyElementsOf(ids(expected.subList(21, 28)));
        assertThat(ids(sixth)).containsExactlyElementsOf(ids(expected.subList(35, 40)));
        assertThat(sixth.next()).isNull();
        assertThat(seventh.list()).isEmpty();
        assertThat(seventh.next()).isNull();
        assertThat(seventh.total()).isEqualTo(40);
    }

    @Test
    void aPageStopsBeforeTheDocumentThatWouldTakeItOverTheByteBudgetSaysSoAndItsCursorContinuesThere() {
        List<Planted> planted = sorted(plant(10, i -> T0 + i, i -> 3_000));
        long budget = 3 * planted.stream().mapToLong(Planted::cost).max().orElseThrow() + 1_000;

        List<EventPages.Page> pages = readByCursors(pages(DataSize.ofBytes(budget), 10_000, 4), 20);

        assertThat(planted).allSatisfy(event -> assertThat(event.bsonBytes()).isBetween(3_300, 3_600));
        assertThat(pages).extracting(page -> page.list().size()).containsExactly(3, 3, 3, 1);
        assertThat(pages).extracting(EventPages.Page::budgetReached).containsExactly(true, true, true, false);
        assertThat(pages.stream().flatMap(page -> ids(page).stream()).toList()).containsExactlyElementsOf(ids(planted));
        for (EventPages.Page page : pages) {
            assertThat(cost(page, planted)).isLessThanOrEqualTo(budget);
        }
    }

    @Test
    void aDocumentLargerThanTheByteBudgetIsServedAloneOnItsPageAndTheCursorMovesPastIt() {
        // Newest first: four small errors, one of 20 KB, four small ones.
        List<Planted> planted = sorted(plant(9, i -> T0 + 10 - i, i -> i == 4 ? 20_000 : 200));
        Planted large = planted.get(4);
        long budget = 4 * planted.get(0).cost() + 1_000;

        List<EventPages.Page> pages = readByCursors(pages(DataSize.ofBytes(budget), 10_000, 4), 20);

        assertThat(large.cost()).isGreaterThan(budget);
        assertThat(pages).extracting(EventPagesTest::ids).containsExactly(ids(planted.subList(0, 4)), List.of(large.id()),
                ids(planted.subList(5, 9)));
        assertThat(pages).extracting(EventPages.Page::budgetReached).containsExactly(true, true, false);
        assertThat(pages.get(1).list().get(0).get("padding").toString()).hasSize(20_000);
    }

    /**
     * An event of tiny values costs the heap far more than its bytes once decoded (about 150 bytes a
     * value): a page counts that, so four such events, each 3 MB once decoded though a fifth of
     * that in BSON, come one to a page under the default 4 MB budget instead of all four at once.
     */
    @Test
    void aPageCountsWhatItsEventsCostOnceDecodedSoEventsOfTinyValuesComeOneAPage() {
        StringBuilder values = new StringBuilder("{");
        for (int i = 0; i < 20_000; i++) {
            values.append(i == 0 ? "" : ",").append('"').append(i).append("\":{}");
        }
        values.append('}');
        List<String> planted = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String json = PlantedEvents.errorJson("error", "shop", T0 + i, i, 0);
            RawBsonDocument document = PlantedEvents.document("{\"d\":" + values + "," + json.substring(1), RECEIVED_AT);
            database.getCollection("error", RawBsonDocument.class).insertOne(document);
            planted.add(0, document.getString("_id").getValue());
            assertThat(document.getByteBuffer().remaining()).isLessThan(1024 * 1024);
            assertThat(DecodedCost.of(document)).isGreaterThan(3_000_000);
        }

        List<EventPages.Page> pages = readByCursors(pages(DataSize.ofMegabytes(4), 10_000, 4), 20);

        assertThat(pages).extracting(EventPagesTest::ids).containsExactly(List.of(planted.get(0)), List.of(planted.get(1)),
                List.of(planted.get(2)), List.of(planted.get(3)));
        assertThat(pages).extracting(EventPages.Page::budgetReached).containsExactly(true, true, true, false);
    }

    /**
     * The queries of one list share its query timeout: with each taking 4 of its 10 s, the merged
     * list stops before its third count (answered 503 as a query MongoDB stopped is), where a
     * timeout of each query's own would have let its nine queries run 90 s; one collection's list,
     * a count and a find, ends in time.
     */
    @Test
    void theQueriesOfOneListShareItsQueryTimeoutAndTheListStopsOnceItIsSpent() {
        plant(9, i -> T0 + i, i -> 10);
        AtomicLong clock = new AtomicLong();
        WriterProperties properties = new WriterProperties("pages-test", Map.of(), Duration.ofSeconds(5), Duration.ofSeconds(60),
                new WriterProperties.Read(DataSize.ofMegabytes(4), 10_000, 4, 2, Duration.ofSeconds(2), Duration.ofSeconds(10), 20_000));
        EventPages pages = new EventPages(properties, new ReadSlots(properties, () -> clock.getAndAdd(Duration.ofSeconds(4).toNanos())));

        assertThatThrownBy(() -> pages.read("shop", errorCollections(), Filters.eq("apikey", "shop"), EventPages.request(1, 20, null)))
                .isInstanceOfSatisfying(ApiException.class, refused -> {
                    assertThat(refused.status()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
                    assertThat(refused.getMessage()).isEqualTo(MongoUnavailableResponses.TOO_LONG);
                });
        clock.set(0);
        assertThat(pages.read("shop", database.getCollection("error"), Filters.eq("apikey", "shop"), EventPages.request(1, 20, null)).list())
                .hasSize(3);
    }

    @Test
    void countsTheTotalUpToTheCountLimitAndSaysWhenItIsOnlyALowerBound() {
        plant(9, i -> T0 + i, i -> 10);

        EventPages.Page capped = pages(DataSize.ofMegabytes(4), 5, 4).read("shop", errorCollections(), SHOP, EventPages.request(null, 3, null));
        List<BsonDocument> cappedCounts = List.copyOf(aggregations);
        EventPages.Page exactlyAtTheLimit = pages(DataSize.ofMegabytes(4), 9, 4).read("shop", errorCollections(), SHOP,
                EventPages.request(null, 3, null));
        EventPages.Page underTheLimit = pages(DataSize.ofMegabytes(4), 20, 4).read("shop", errorCollections(), SHOP,
                EventPages.request(null, 3, null));

        assertThat(capped.total()).isEqualTo(5);
        assertThat(capped.totalIsAtLeast()).isTrue();
        assertThat(exactlyAtTheLimit.total()).isEqualTo(9);
        assertThat(exactlyAtTheLimit.totalIsAtLeast()).isFalse();
        assertThat(underTheLimit.total()).isEqualTo(9);
        assertThat(underTheLimit.totalIsAtLeast()).isFalse();
        // Every count MongoDB was asked for stopped at one past the cap (which tells a full count from a capped one).
        assertThat(cappedCounts).isNotEmpty().allSatisfy(count -> assertThat(countLimit(count)).isBetween(1L, 6L));
    }

    @Test
    void aCursorIsAPositionSoErrorsStoredMeanwhileShiftNoPage() {
        List<Planted> planted = sorted(plant(20, i -> T0 + i, i -> 10));
        EventPages pages = pages(DataSize.ofMegabytes(4), 10_000, 4);
        EventPages.Page first = pages.read("shop", errorCollections(), SHOP, EventPages.request(null, 5, null));

        plant(5, i -> T0 + 1_000 + i, i -> 10, 100);
        EventPages.Page second = pages.read("shop", errorCollections(), SHOP, EventPages.request(null, 5, first.next()));

        assertThat(ids(second)).containsExactlyElementsOf(ids(planted.subList(5, 10)));
        assertThat(second.total()).isEqualTo(25);
    }

    @Test
    void aDeepPageOfTheMergedListSkipsOverIdsAndTimesAndFetchesAboutOnePageOfDocuments() {
        List<Planted> expected = sorted(plant(90, i -> T0 + i, i -> 2_000));
        int batchSize = 4;

        EventPages.Page eighth = pages(DataSize.ofMegabytes(4), 10_000, batchSize).read("shop", errorCollections(), SHOP,
                EventPages.request(8, 10, null));

        assertThat(ids(eighth)).containsExactlyElementsOf(ids(expected.subList(70, 80)));
        List<BsonDocument> fetched = fetchedDocuments();
        // Before: 80 whole documents from each of the three collections, sorted in the writer's heap.
        assertThat(fetched.stream().filter(document -> document.containsKey("padding")).count())
                .isLessThanOrEqualTo(10 + 3L * batchSize);
        assertThat(fetched.stream().filter(document -> !document.containsKey("padding")))
                .allSatisfy(key -> assertThat(key.keySet()).containsExactlyInAnyOrder("_id", "time"));
    }

    @Test
    void eachCollectionsCursorFetchesItsBatchSizeAtATime() {
        plant(30, i -> T0 + i, i -> 2_000);

        pages(DataSize.ofMegabytes(4), 10_000, 3).read("shop", errorCollections(), SHOP, EventPages.request(null, 20, null));

        assertThat(cursorReplies).isNotEmpty().allSatisfy(reply -> assertThat(batch(reply)).hasSizeLessThanOrEqualTo(3));
    }

    private List<EventPages.Page> readByCursors(EventPages pages, int pageSize) {
        List<EventPages.Page> read = new ArrayList<>();
        EventPages.Page page = pages.read("shop", errorCollections(), SHOP, EventPages.request(null, pageSize, null));
        read.add(page);
        while (page.next() != null && read.size() < 1_000) {
            page = pages.read("shop", errorCollections(), SHOP, EventPages.request(null, pageSize, page.next()));
            read.add(page);
        }
        return read;
    }

    private List<Planted> plant(int count, IntToLongFunction time, IntUnaryOperator padding) {
        return plant(count, time, padding, 0);
    }

    /** Errors of the shop project, in turn in the error, resource and http collections. */
    private List<Planted> plant(int count, IntToLongFunction time, IntUnaryOperator padding, int firstSequence) {
        List<Planted> planted = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String type = PlantedEvents.ERROR_TYPES.get(i % 3);
            String collection = FAMILIES.forType(type).orElseThrow().name();
            RawBsonDocument document = PlantedEvents.document(
                    PlantedEvents.errorJson(type, "shop", time.applyAsLong(i), firstSequence + i, padding.applyAsInt(i)), RECEIVED_AT);
            database.getCollection(collection, RawBsonDocument.class).insertOne(document);
            planted.add(new Planted(document.getString("_id").getValue(), time.applyAsLong(i), collection,
                    document.getByteBuffer().remaining(), DecodedCost.of(document)));
        }
        return planted;
    }

    private List<MongoCollection<Document>> errorCollections() {
        return List.of(database.getCollection("error"), database.getCollection("resource"), database.getCollection("http"));
    }

    private static EventPages pages(DataSize budget, int countLimit, int batchSize) {
        WriterProperties properties = new WriterProperties("pages-test", Map.of(), Duration.ofSeconds(5), Duration.ofSeconds(60),
                new WriterProperties.Read(budget, countLimit, batchSize));
        return new EventPages(properties, new ReadSlots(properties));
    }

    private static List<Planted> sorted(List<Planted> planted) {
        return planted.stream().sorted(API_ORDER).toList();
    }

    private static List<String> ids(List<Planted> planted) {
        return planted.stream().map(Planted::id).toList();
    }

    static List<String> ids(EventPages.Page page) {
        return page.list().stream().map(event -> (String) event.get("id")).toList();
    }

    private static long cost(EventPages.Page page, List<Planted> planted) {
        List<String> ids = ids(page);
        return planted.stream().filter(event -> ids.contains(event.id())).mapToLong(Planted::cost).sum();
    }

    private List<BsonDocument> fetchedDocuments() {
        return cursorReplies.stream().filter(reply -> reply.database().equals(database.getName()))
                .flatMap(reply -> batch(reply).stream()).map(BsonValue::asDocument).toList();
    }

    private static List<BsonValue> batch(Reply reply) {
        BsonDocument cursor = reply.response().getDocument("cursor");
        return cursor.getArray(cursor.containsKey("firstBatch") ? "firstBatch" : "nextBatch");
    }

    /** The $limit of a count (the driver counts with an aggregation: $match, $skip, $limit, $group). */
    private static long countLimit(BsonDocument count) {
        return count.getArray("pipeline").stream().map(BsonValue::asDocument)
                .filter(stage -> stage.containsKey("$limit")).mapToLong(stage -> stage.get("$limit").asNumber().longValue())
                .findFirst().orElse(-1);
    }
}
