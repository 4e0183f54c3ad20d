package dev.trackpipeline.writer.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import dev.trackpipeline.infra.EmbeddedMongoServer;
import dev.trackpipeline.infra.FreePorts;
import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.model.fixtures.FixtureRecords;
import dev.trackpipeline.runtime.ApiException;
import dev.trackpipeline.runtime.ProjectCatalog;
import dev.trackpipeline.runtime.ReadAuthorization;
import dev.trackpipeline.writer.PlantedEvents;
import dev.trackpipeline.writer.WriterProperties;
import dev.trackpipeline.writer.query.ErrorGroupController.Count;
import dev.trackpipeline.writer.query.ErrorGroupController.ErrorGroup;
import dev.trackpipeline.writer.store.EventRepository;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.util.unit.DataSize;

/**
 * From a top error to its group: how often, when, in how many sessions, where and on what, over
 * the real driver and the MongoDB-wire stand-in; the group's occurrences are the error list
 * filtered by its fingerprint.
 */
class ErrorGroupControllerTest {

    static final EmbeddedMongoServer mongo = EmbeddedMongoServer.start(Optional.empty(), "127.0.0.1", FreePorts.one());
    static final MongoClient client = MongoClients.create(mongo.uri());
    static final ProjectCatalog projects = new ProjectCatalog(FixtureRecords.testProjectsFile(), Duration.ofMinutes(1));
    static final long T0 = 1795800000000L;
    static final String TOKEN = "Bearer shop-read-token";

    final MongoDatabase database = client.getDatabase("groups-" + UUID.randomUUID().toString().substring(0, 8));
    final EventFamilies families = new EventFamilies();
    String checkoutFailure;

    @AfterAll
    static void stop() {
        projects.close();
        client.close();
        mongo.close();
    }

    /**
     * Five occurrences of one error (two sessions, two pages, two browsers, one with a recording)
     * over four minutes, and another error and another project's same error beside them.
     */
    @BeforeEach
    void storeErrors() {
        checkoutFailure = store(error("shop", T0, "s1", "/checkout", "Chrome", "rec-1"));
        store(error("shop", T0 + 60_000, "s1", "/checkout", "Chrome", ""));
        store(error("shop", T0 + 60_500, "s2", "/checkout", "Firefox", null));
        store(error("shop", T0 + 180_000, "s2", "/cart", "Chrome", null));
        store(error("shop", T0 + 239_999, "s2", "/checkout", "Chrome", null));
        store(PlantedEvents.errorJson("error", "shop", T0 + 1, 1, 0));
        store(error("other-project", T0 + 2, "s9", "/checkout", "Chrome", null));
    }

    @Test
    void summarisesTheGroupsOccurrencesInTheWindow() {
        ErrorGroup group = controller(20_000).group(checkoutFailure, "shop", T0, T0 + 239_999, 4, TOKEN).data();

        assertThat(group.type()).isEqualTo("error");
        assertThat(group.title()).contains("Cannot read properties of undefined");
        assertThat(group.count()).isEqualTo(5);
        assertThat(group.firstSeen()).isEqualTo(T0);
        assertThat(group.lastSeen()).isEqualTo(T0 + 239_999);
        assertThat(group.sessions()).isEqualTo(2);
        assertThat(group.withRecording()).as("an empty recordScreenId names none").isEqualTo(1);
        assertThat(group.timeline().bucketMillis()).isEqualTo(60_000);
        assertThat(group.timeline().counts()).containsExactly(1L, 2L, 0L, 2L);
        assertThat(group.pages()).containsExactly(new Count("http://shop.example/checkout", 4), new Count("http://shop.example/cart", 1));
        assertThat(group.browsers()).containsExactly(new Count("Chrome", 4), new Count("Firefox", 1));
        assertThat(group.systems()).containsExactly(new Count("Windows", 5));
        assertThat(group.devices()).containsExactly(new Count("Pc", 5));
        assertThat(group.newestOnly()).isFalse();
    }

    @Test
    void aWindowNarrowsTheCountAndWithoutOneTheTimelineSpansFirstToLastSeen() {
        ErrorGroup narrowed = controller(20_000).group(checkoutFailure, "shop", T0 + 60_000, T0 + 60_999, 60, TOKEN).data();
        ErrorGroup whole = controller(20_000).group(checkoutFailure, "shop", null, null, 2, TOKEN).data();

        assertThat(narrowed.count()).isEqualTo(2);
        assertThat(narrowed.sessions()).isEqualTo(2);
        assertThat(whole.timeline().start()).isEqualTo(T0);
        assertThat(whole.timeline().end()).isEqualTo(T0 + 239_999);
        assertThat(whole.timeline().counts()).containsExactly(3L, 2L);
    }

    @Test
    void aWindowEndingInTheFutureDrawsNoBucketsAfterNowOrTheLastOccurrence() {
        java.time.Clock fiveMinutesIn = java.time.Clock.fixed(Instant.ofEpochMilli(T0 + 300_000), java.time.ZoneOffset.UTC);
        java.time.Clock twoMinutesIn = java.time.Clock.fixed(Instant.ofEpochMilli(T0 + 120_000), java.time.ZoneOffset.UTC);

        ErrorGroup untilNow = controller(20_000, fiveMinutesIn).group(checkoutFailure, "shop", null, T0 + 3_600_000, 60, TOKEN).data();
        ErrorGroup untilTheLast = controller(20_000, twoMinutesIn).group(checkoutFailure, "shop", null, T0 + 3_600_000, 60, TOKEN).data();
        ErrorGroup pastWindow = controller(20_000, fiveMinutesIn).group(checkoutFailure, "shop", null, T0 + 200_000, 60, TOKEN).data();

        assertThat(untilNow.timeline().end()).isEqualTo(T0 + 300_000);
        assertThat(untilTheLast.timeline().end()).as("an occurrence dated after now, by a browser's clock").isEqualTo(T0 + 239_999);
        assertThat(pastWindow.timeline().end()).isEqualTo(T0 + 200_000);
        assertThat(untilNow.timeline().counts().stream().mapToLong(Long::longValue).sum()).isEqualTo(5);
        ErrorGroup noneYet = controller(20_000, fiveMinutesIn).group(checkoutFailure, "shop", null, T0 - 1, 60, TOKEN).data();
        assertThat(noneYet.count()).isZero();
        assertThat(noneYet.timeline().start()).as("not from 1970").isEqualTo(T0 - 1);
        assertThat(noneYet.timeline().counts()).containsOnly(0L);
    }

    /** A window's edges are a client's numbers: the widest there are still give the group, over the times an event may carry. */
    @Test
    void theWidestWindowsCountTheGroupWithoutOverflowing() {
        for (long[] window : new long[][] {{Long.MIN_VALUE, Long.MAX_VALUE}, {0, Long.MAX_VALUE}, {1, Long.MAX_VALUE}, {Long.MIN_VALUE, T0}}) {
            ErrorGroup group = controller(20_000).group(checkoutFailure, "shop", window[0], window[1], 240, TOKEN).data();

            long inWindow = window[1] >= T0 + 239_999 ? 5 : 1;
            assertThat(group.count()).as(window[0] + ".." + window[1]).isEqualTo(inWindow);
            assertThat(group.timeline().counts().stream().mapToLong(Long::longValue).sum()).as(window[0] + ".." + window[1])
                    .isEqualTo(inWindow);
            assertThat(group.timeline().start()).isGreaterThanOrEqualTo(0);
            assertThat(group.timeline().end()).isLessThanOrEqualTo(9_999_999_999_999L);
        }
    }

    /** Events without a page, device info or recording are counted under "", and a null recordScreenId names no recording. */
    @Test
    void occurrencesWithoutPageOrDeviceCountUnderTheEmptyValue() {
        String bare = store("{\"type\":\"error\",\"status\":\"error\",\"time\":" + T0 + ",\"message\":\"Uncaught Error: bare\","
                + "\"fileName\":\"http://shop.example/bare.js\",\"line\":1,\"column\":1,\"apikey\":\"shop\",\"uuid\":\"s7\","
                + "\"recordScreenId\":null}");

        ErrorGroup group = controller(20_000).group(bare, "shop", null, null, 60, TOKEN).data();

        assertThat(group.count()).isEqualTo(1);
        assertThat(group.withRecording()).isZero();
        assertThat(group.pages()).containsExactly(new Count("", 1));
        assertThat(group.browsers()).containsExactly(new Count("", 1));
    }

    /** A page URL is the client's string: a breakdown groups and answers its first characters only. */
    @Test
    void aBreakdownValueIsCutToItsFirstCharacters() {
        String path = "/" + "p".repeat(5_000);
        String longPage = store(error("shop", T0 + 5, "s8", path, "Chrome", null).replace("checkout.js", "long.js"));

        ErrorGroup group = controller(20_000).group(longPage, "shop", null, null, 60, TOKEN).data();

        assertThat(group.pages()).singleElement().satisfies(page -> assertThat(page.value())
                .hasSize(ErrorGroupController.VALUE_CHARACTERS).startsWith("http://shop.example/ppp"));
    }

    /** Like the stats: a client choosing every event's time cannot make a summary count more than the limit. */
    @Test
    void countsAtMostTheNewestOccurrencesUpToTheLimitAndSaysSo() {
        ErrorGroup group = controller(3).group(checkoutFailure, "shop", null, null, 60, TOKEN).data();

        assertThat(group.newestOnly()).isTrue();
        assertThat(group.count()).isEqualTo(3);
        assertThat(group.firstSeen()).isEqualTo(T0 + 60_500);
        assertThat(group.sessions()).isEqualTo(1);
        assertThat(group.timeline().start()).as("from the first counted, not an empty stretch of those left out").isEqualTo(T0 + 60_500);
    }

    @Test
    void aGroupWithoutOccurrencesInTheWindowCountsNoneAndAnUnknownOneIsNotFound() {
        ErrorGroup quiet = controller(20_000).group(checkoutFailure, "shop", T0 - 10_000, T0 - 1, 10, TOKEN).data();
        ApiException unknown = catchThrowableOfType(() -> controller(20_000).group("no-such-group", "shop", null, null, 60, TOKEN),
                ApiException.class);

        assertThat(quiet.count()).isZero();
        assertThat(quiet.firstSeen()).isNull();
        assertThat(quiet.timeline().counts()).hasSize(10).containsOnly(0L);
        assertThat(unknown.status()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(unknown.getMessage()).isEqualTo("fingerprint: no error group \"no-such-group\" in project \"shop\"");
    }

    @Test
    void anotherProjectsTokenSeesNothingAndBucketsOutOfRangeAreRefused() {
        ApiException foreign = catchThrowableOfType(() -> controller(20_000).group(checkoutFailure, "shop", null, null, 60,
                "Bearer other-read-token"), ApiException.class);
        ApiException buckets = catchThrowableOfType(() -> controller(20_000).group(checkoutFailure, "shop", null, null, 0, TOKEN),
                ApiException.class);

        assertThat(foreign.status()).isIn(HttpStatus.UNAUTHORIZED, HttpStatus.FORBIDDEN);
        assertThat(buckets.status()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(buckets.getMessage()).startsWith("buckets:");
    }

    /** The group's occurrences, with their breadcrumbs: the error list filtered by its fingerprint, this project's only. */
    @Test
    void theErrorListFilteredByFingerprintHoldsTheGroupsOccurrencesOnly() {
        WriterProperties properties = properties(20_000);
        ReadSlots slots = new ReadSlots(properties);
        ErrorQueryController errors = new ErrorQueryController(new EventRepository(database), families, new ReadAuthorization(projects),
                new EventPages(properties, slots), slots, properties);

        EventPages.Page page = errors.list("shop", null, null, null, checkoutFailure, null, null, 20, null, Map.of(), TOKEN).data();

        assertThat(page.list()).hasSize(5).allSatisfy(error -> {
            assertThat(error).containsEntry("fingerprint", checkoutFailure).containsEntry("apikey", "shop");
            assertThat(error.get("breadcrumb")).asList().hasSize(2);
        });
    }

    private ErrorGroupController controller(int limit) {
        return controller(limit, java.time.Clock.systemUTC());
    }

    private ErrorGroupController controller(int limit, java.time.Clock clock) {
        WriterProperties properties = properties(limit);
        return new ErrorGroupController(new EventRepository(database), families, new ReadAuthorization(projects), new ReadSlots(properties),
                properties, clock);
    }

    private static WriterProperties properties(int statsLimit) {
        return new WriterProperties("groups-test", Map.of(), Duration.ofSeconds(5), Duration.ofSeconds(60),
                new WriterProperties.Read(DataSize.ofMegabytes(4), 10_000, 4, 1, Duration.ofMillis(200), Duration.ofSeconds(10), statsLimit));
    }

    /** Stores the event as the writer would; returns its fingerprint. */
    private String store(String json) {
        RawBsonDocument document = PlantedEvents.document(json, Instant.ofEpochMilli(T0));
        new EventRepository(database).collection(families.forType(document.getString("type").getValue()).orElseThrow())
                .withDocumentClass(RawBsonDocument.class).insertOne(document);
        return document.getString("fingerprint").getValue();
    }

    /** The same JavaScript error, as the SDK sends it, in a session, on a page, in a browser; recordScreenId null for none. */
    private static String error(String apikey, long time, String session, String path, String browser, String recordScreenId) {
        return "{\"type\":\"error\",\"status\":\"error\",\"time\":" + time + ",\"message\":\"Uncaught TypeError: Cannot read properties of "
                + "undefined (reading 'total')\",\"fileName\":\"http://shop.example/checkout.js\",\"line\":12,\"column\":7,"
                + "\"apikey\":\"" + apikey + "\",\"uuid\":\"" + session + "\",\"pageUrl\":\"http://shop.example" + path + "\","
                + (recordScreenId == null ? "" : "\"recordScreenId\":\"" + recordScreenId + "\",")
                + "\"deviceInfo\":{\"browser\":\"" + browser + "\",\"os\":\"Windows\",\"device_type\":\"Pc\"},"
                + "\"breadcrumb\":[{\"type\":\"Click\",\"category\":\"UI.Click\",\"data\":\"button#pay\",\"time\":" + (time - 500)
                + ",\"status\":\"ok\"},{\"type\":\"Xhr\",\"category\":\"Xhr\",\"data\":{\"url\":\"/api/cart\"},\"time\":" + (time - 100)
                + ",\"status\":\"ok\"}]}";
    }
}
