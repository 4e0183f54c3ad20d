package dev.trackpipeline.writer;

import dev.trackpipeline.infra.testing.KafkaTestRecords;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import dev.trackpipeline.infra.EmbeddedInfrastructure;
import dev.trackpipeline.model.metrics.PrometheusSamples;
import dev.trackpipeline.model.fixtures.FixtureRecords;
import dev.trackpipeline.model.fixtures.FixtureRecords.FixtureRecord;
import dev.trackpipeline.model.fixtures.WebSeeFixtures;
import dev.trackpipeline.model.kafka.TrackHeaders;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class EventStoreIntegrationTest {

    static final EmbeddedInfrastructure infra = EmbeddedInfrastructure.startForTests();
    static final WebSeeFixtures fixtures = WebSeeFixtures.load();
    static final Instant RECEIVED_AT = Instant.parse("2026-11-25T10:15:30.123Z");
    static final List<String> ERROR_TYPES = List.of("error", "unhandledrejection", "resource", "xhr", "fetch");
    /** Far after the captured fixtures' times, so events placed there are alone in their window. */
    static final long MERGED_WINDOW_START = 1795700000000L;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", infra::kafkaBootstrapServers);
        registry.add("spring.mongodb.uri", infra::mongoUri);
        registry.add("track.projects-file", () -> FixtureRecords.testProjectsFile().toString());
        registry.add("track.consumer.refused-attempts", () -> "2");
        registry.add("track.consumer.refused-backoff", () -> "100ms");
        registry.add("track.bench.listener-controls", () -> "true");
    }

    @AfterAll
    static void stopInfrastructure() {
        infra.close();
    }

    @Autowired
    MongoDatabase database;

    @Value("${local.server.port}")
    int port;

    @Value("${local.management.port}")
    int managementPort;

    private final HttpClient http = HttpClient.newHttpClient();
    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void storesEveryEventTheRealSdkSentOnceEvenWhenKafkaDeliversItAgain() throws Exception {
        List<FixtureRecord> records = fixtures.posts().stream().map(request -> FixtureRecords.of(request, RECEIVED_AT)).toList();
        List<String> ids = records.stream().map(FixtureRecord::eventId).toList();

        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), records);
        await().atMost(Duration.ofSeconds(30)).until(() -> storedCount(ids) == records.size());
        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), records);
        String marker = produceMarker();
        await().atMost(Duration.ofSeconds(30)).until(() -> storedCount(List.of(marker)) == 1);

        assertThat(storedCount(ids)).isEqualTo(89);
        assertThat(database.getCollection("performance").countDocuments(Filters.in("_id", ids))).isEqualTo(48);
        assertThat(database.getCollection("record-screen").countDocuments(Filters.in("_id", ids))).isEqualTo(5);
        FixtureRecord error = records.stream().filter(record -> record.type().equals("error")).findFirst().orElseThrow();
        Document stored = database.getCollection("error").find(Filters.eq("_id", error.eventId())).first();
        assertThat(stored.getDate("receivedAt")).isEqualTo(Date.from(RECEIVED_AT));
        assertThat(stored.getString("message")).isEqualTo("Uncaught Error: Order list render failed: items is empty");
        assertThat(stored.getInteger("line")).isEqualTo(4);
        assertThat(stored.getList("breadcrumb", Document.class)).isNotEmpty();
    }

    @Test
    void deadLettersARecordThatCannotBeStoredWithItsReasonAndStoresItsNeighbours() throws Exception {
        String session = UUID.randomUUID().toString();
        FixtureRecord before = withSession(FixtureRecords.of(fixtures.first("whiteScreen"), RECEIVED_AT), session);
        FixtureRecord after = withSession(FixtureRecords.of(fixtures.ofType("whiteScreen").get(1), RECEIVED_AT), session);
        Map<String, String> noEventId = new HashMap<>(before.headers());
        noEventId.remove(TrackHeaders.EVENT_ID);
        FixtureRecord broken = new FixtureRecord("none", "whiteScreen", before.topic(), before.key(),
                "{\"type\":\"whiteScreen\"}".getBytes(StandardCharsets.UTF_8), noEventId);

        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), List.of(before, broken, after));

        await().atMost(Duration.ofSeconds(30)).until(() -> storedCount(List.of(before.eventId(), after.eventId())) == 2);
        var deadLetters = KafkaTestRecords.readAtLeast(infra.kafkaBootstrapServers(), 1, "track.dead-letter");
        assertThat(deadLetters).anySatisfy(record -> {
            assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo("{\"type\":\"whiteScreen\"}");
            assertThat(header(record, TrackHeaders.DEAD_LETTER_OUTCOME)).isEqualTo("missing_metadata");
            assertThat(header(record, TrackHeaders.DEAD_LETTER_REASON)).isEqualTo("header track-event-id: is missing");
        });
        assertThat(management("/actuator/prometheus", null).body())
                .contains("track_consume_dead_lettered_total{application=\"consumer-writer\",outcome=\"missing_metadata\",topic=\"track.white-screen\"}");
    }

    @Test
    void offersADocumentMongoRefusesAFewTimesThenDeadLettersItAndStoresItsNeighbours() throws Exception {
        // A unique index of the operator's own: a second order number is a real conflict, not a redelivery.
        var custom = database.getCollection("custom");
        custom.createIndex(Indexes.ascending("orderNumber"), new IndexOptions().unique(true).sparse(true).name("test_unique_order"));
        try {
            String session = UUID.randomUUID().toString();
            FixtureRecord first = customEvent(session, 1, ",\"orderNumber\":\"A-1\"");
            FixtureRecord conflicting = customEvent(session, 2, ",\"orderNumber\":\"A-1\"");
            FixtureRecord after = customEvent(session, 3, "");

            KafkaTestRecords.produce(infra.kafkaBootstrapServers(), List.of(first, conflicting, after));

            await().atMost(Duration.ofSeconds(30)).until(() -> storedCount(List.of(first.eventId(), after.eventId())) == 2);
            var deadLetters = KafkaTestRecords.readAtLeast(infra.kafkaBootstrapServers(), 1, "track.dead-letter");
            assertThat(deadLetters).anySatisfy(record -> {
                assertThat(record.value()).isEqualTo(conflicting.value());
                assertThat(header(record, TrackHeaders.DEAD_LETTER_OUTCOME)).isEqualTo("refused_by_store");
                assertThat(header(record, TrackHeaders.DEAD_LETTER_REASON))
                        .startsWith("MongoDB refused the document: E11000 duplicate key error").contains("test_unique_order");
            });
            assertThat(storedCount(List.of(conflicting.eventId()))).isZero();
            assertThat(management("/actuator/prometheus", null).body()).contains(
                    "track_consume_events_total{application=\"consumer-writer\",family=\"custom\",group=\"track-writer\",outcome=\"refused\"} 2.0",
                    "track_consume_dead_lettered_total{application=\"consumer-writer\",outcome=\"refused_by_store\",topic=\"track.custom\"} 1.0");
        } finally {
            custom.dropIndex("test_unique_order");
        }
    }

    @Test
    void keepsDollarAndDottedKeysLosslesslyAndGivesThemBackThroughTheApi() throws Exception {
        String body = fixtures.first("error").body().replace("\"line\":4,",
                "\"line\":4,\"extra\":{\"$where\":\"sleep(1)\",\"a.b\":{\"100%\":true},\"nul\\u0000key\":1},\"_id\":\"mine\",");
        var request = new WebSeeFixtures.CapturedRequest("POST", "/reportData", "application/json", null,
                body.replace("\"time\":1795642106952", "\"time\":1795642106999"));
        FixtureRecord record = FixtureRecords.of(request, RECEIVED_AT);

        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), List.of(record));
        await().atMost(Duration.ofSeconds(30)).until(() -> storedCount(List.of(record.eventId())) == 1);

        Document stored = database.getCollection("error").find(Filters.eq("_id", record.eventId())).first();
        assertThat(stored.get("extra", Document.class).keySet()).containsExactly("%24where", "a%2Eb", "nul%00key");
        assertThat(stored.getString("%5Fid")).isEqualTo("mine");
        JsonNode listed = errorsList("startTime=1795642106999&endTime=1795642106999", "demo-read-token").get("data").get("list").get(0);
        assertThat(listed.get("id").stringValue()).isEqualTo(record.eventId());
        assertThat(listed.get("_id").stringValue()).isEqualTo("mine");
        assertThat(listed.get("extra").get("$where").stringValue()).isEqualTo("sleep(1)");
        assertThat(listed.get("extra").get("a.b").get("100%").booleanValue()).isTrue();
        assertThat(listed.get("extra").get("nul\u0000key").intValue()).isEqualTo(1);
        assertThat(listed.get("receivedAt").longValue()).isEqualTo(RECEIVED_AT.toEpochMilli());
    }

    @Test
    void listsAProjectsErrorsNewestFirstInPages() throws Exception {
        List<FixtureRecord> errors = new ArrayList<>();
        for (String type : ERROR_TYPES) {
            fixtures.ofType(type).forEach(request -> errors.add(FixtureRecords.of(request, RECEIVED_AT)));
        }
        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), errors);
        await().atMost(Duration.ofSeconds(30)).until(() -> storedCount(errors.stream().map(FixtureRecord::eventId).toList()) == 22);

        JsonNode androidErrors = errorsList("device_type=mobile&os=Android&browser=Chrome", "demo-read-token").get("data");
        assertThat(androidErrors.get("total").longValue()).isEqualTo(8);
        assertThat(androidErrors.get("list")).hasSize(8)
                .allSatisfy(item -> assertThat(item.get("deviceInfo").get("os").stringValue()).isEqualTo("Android"));
        assertThat(androidErrors.get("list")).extracting(item -> item.get("type").stringValue())
                .containsExactlyInAnyOrder("xhr", "xhr", "xhr", "fetch", "fetch", "error", "resource", "unhandledrejection");
        JsonNode page = errorsList("type=unhandledrejection&pageSize=1&page=2", "demo-read-token");

        assertThat(page.get("code").intValue()).isZero();
        assertThat(page.get("data").get("total").longValue()).isEqualTo(2);
        assertThat(page.get("data").get("page").intValue()).isEqualTo(2);
        JsonNode list = page.get("data").get("list");
        assertThat(list).hasSize(1);
        assertThat(list.get(0).get("type").stringValue()).isEqualTo("unhandledrejection");

        // A page is named by the start of its URL, taken as text: "." and "*" match only themselves.
        JsonNode admin = errorsList("pageUrlPrefix=" + encoded("http://127.0.0.1:8080/admin/"), "demo-read-token").get("data");
        assertThat(admin.get("total").longValue()).isEqualTo(8);
        assertThat(admin.get("list")).extracting(item -> item.get("pageUrl").stringValue())
                .containsOnly("http://127.0.0.1:8080/admin/#/settings", "http://127.0.0.1:8080/admin/users?role=staff");
        assertThat(errorsList("pageUrlPrefix=" + encoded("http://127.0.0.1:8081/"), "demo-read-token").get("data").get("total").longValue())
                .isEqualTo(3);
        assertThat(errorsList("pageUrlPrefix=" + encoded("http://127.0.0.1.8080/"), "demo-read-token").get("data").get("total").longValue())
                .isZero();
        assertThat(errorsList("pageUrlPrefix=" + encoded("http://127.0.0.1:8080/.*"), "demo-read-token").get("data").get("total").longValue())
                .isZero();
        HttpResponse<String> tooLong = get("/api/errors/list?apikey=demo-project&pageUrlPrefix=" + "a".repeat(2049), "demo-read-token");
        assertThat(tooLong.statusCode()).isEqualTo(400);
        assertThat(tooLong.body()).contains("pageUrlPrefix: at most 2048 characters, got 2049");
        HttpResponse<String> nul = get("/api/errors/list?apikey=demo-project&pageUrlPrefix=%2Fshop%00", "demo-read-token");
        assertThat(nul.statusCode()).isEqualTo(400);
        assertThat(nul.body()).contains("pageUrlPrefix: control characters are not part of a page address");
        JsonNode all = errorsList("type=unhandledrejection", "demo-read-token").get("data").get("list");
        assertThat(all.get(0).get("time").longValue()).isGreaterThan(all.get(1).get("time").longValue());
        assertThat(list.get(0).get("id").stringValue()).isEqualTo(all.get(1).get("id").stringValue());
    }

    @Test
    void mergesEveryKindOfErrorIntoOneNewestFirstList() throws Exception {
        List<FixtureRecord> oneOfEach = new ArrayList<>();
        long time = MERGED_WINDOW_START;
        for (String type : ERROR_TYPES) {
            var node = (tools.jackson.databind.node.ObjectNode) json.readTree(fixtures.first(type).body());
            node.put("apikey", "shop").put("time", time += 1_000);
            oneOfEach.add(FixtureRecords.of(new WebSeeFixtures.CapturedRequest("POST", "/reportData", "application/json", null,
                    json.writeValueAsString(node)), RECEIVED_AT));
        }
        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), oneOfEach);
        await().atMost(Duration.ofSeconds(30)).until(() -> storedCount(oneOfEach.stream().map(FixtureRecord::eventId).toList()) == 5);
        String window = "/api/errors/list?apikey=shop&startTime=" + MERGED_WINDOW_START + "&endTime=" + time;

        JsonNode everything = read(window, "shop-read-token").get("data");
        JsonNode secondPage = read(window + "&pageSize=2&page=2", "shop-read-token").get("data");
        JsonNode resources = read(window + "&type=resource", "shop-read-token").get("data");
        FixtureRecord resource = oneOfEach.get(ERROR_TYPES.indexOf("resource"));
        JsonNode resourceById = read("/api/errors/" + resource.eventId() + "?apikey=shop", "shop-read-token").get("data");

        assertThat(everything.get("total").longValue()).isEqualTo(5);
        assertThat(everything.get("list")).extracting(item -> item.get("type").stringValue())
                .containsExactly("fetch", "xhr", "resource", "unhandledrejection", "error");
        assertThat(secondPage.get("total").longValue()).isEqualTo(5);
        assertThat(secondPage.get("list")).extracting(item -> item.get("type").stringValue())
                .containsExactly("resource", "unhandledrejection");
        assertThat(resources.get("total").longValue()).isEqualTo(1);
        assertThat(resourceById.get("errorTitle").stringValue()).isEqualTo("img http://127.0.0.1:8080/assets/img/banner-missing.png");
        HttpResponse<String> notAnError = get(window + "&type=performance", "shop-read-token");
        assertThat(notAnError.statusCode()).isEqualTo(400);
        assertThat(notAnError.body())
                .contains("type: expected one of [error, unhandledrejection, resource, xhr, fetch], got \\\"performance\\\"");
        HttpResponse<String> tooDeep = get(window + "&pageSize=100&page=101", "shop-read-token");
        assertThat(tooDeep.statusCode()).isEqualTo(400);
        assertThat(tooDeep.body()).contains("page: pages reach at most 10000 events deep");
    }

    @Test
    void groupsAProjectsErrorsOfEveryKindByFingerprint() throws Exception {
        List<FixtureRecord> errors = shopRecords(ERROR_TYPES.toArray(String[]::new));
        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), errors);
        await().atMost(Duration.ofSeconds(30)).until(() -> storedCount(errors.stream().map(FixtureRecord::eventId).toList()) == 22);
        String capturedWindow = "&startTime=1795642100000&endTime=1795642200000";

        JsonNode stats = read("/api/errors/stats?apikey=shop" + capturedWindow, "shop-read-token").get("data");

        assertThat(stats.get("total").longValue()).isEqualTo(22);
        assertThat(json.convertValue(stats.get("byType"), Map.class))
                .isEqualTo(Map.of("error", 6, "unhandledrejection", 2, "resource", 5, "xhr", 6, "fetch", 3));
        JsonNode groups = stats.get("groups");
        // 7 JavaScript groups (the inline-script TypeError was captured on two origins, so its file
        // differs), 5 resources, 5 XHR (the two 404s on /api/orders/<id> are one), 3 fetch.
        assertThat(groups).hasSize(20);
        assertThat(List.of(groups.get(0).get("title").stringValue(), groups.get(1).get("title").stringValue())).containsExactlyInAnyOrder(
                "Uncaught Error: Order list render failed: items is empty (app.js:4:38)", "GET /api/orders/:id → 404");
        assertThat(groups.get(0).get("count").longValue()).isEqualTo(2);
        assertThat(groups.get(1).get("count").longValue()).isEqualTo(2);
        for (int i = 2; i < groups.size(); i++) {
            assertThat(groups.get(i).get("count").longValue()).isEqualTo(1);
        }
        assertThat(read("/api/errors/stats?apikey=shop&limit=2" + capturedWindow, "shop-read-token").get("data").get("groups"))
                .extracting(group -> group.get("fingerprint").stringValue())
                .containsExactly(groups.get(0).get("fingerprint").stringValue(), groups.get(1).get("fingerprint").stringValue());
    }

    @Test
    void servesOneErrorByIdAnd404sForAnUnknownOne() throws Exception {
        FixtureRecord error = shopRecords("error").get(0);
        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), List.of(error));
        await().atMost(Duration.ofSeconds(30)).until(() -> storedCount(List.of(error.eventId())) == 1);

        JsonNode found = read("/api/errors/" + error.eventId() + "?apikey=shop", "shop-read-token").get("data");
        HttpResponse<String> unknown = get("/api/errors/ffffffffffffffffffffffffffffffff?apikey=shop", "shop-read-token");
        HttpResponse<String> otherProjects = get("/api/errors/" + error.eventId() + "?apikey=demo-project", "demo-read-token");

        assertThat(found.get("id").stringValue()).isEqualTo(error.eventId());
        assertThat(found.get("fingerprint").stringValue()).hasSize(32);
        assertThat(found.get("errorTitle").stringValue()).isEqualTo("Uncaught Error: Order list render failed: items is empty (app.js:4:38)");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("id: no error \\\"ffffffffffffffffffffffffffffffff\\\" in project \\\"shop\\\"");
        assertThat(otherProjects.statusCode()).isEqualTo(404);
    }

    @Test
    void servesAWholeRecordingWithItsChunksInTheOrderTheyWereRecorded() throws Exception {
        String first = fixtures.first("recordScreen").body().replace("\"apikey\":\"demo-project\"", "\"apikey\":\"shop\"");
        String third = first.replace("\"time\":1795642114302", "\"time\":1795642134302").replaceFirst("\"events\":\"", "\"events\":\"C");
        String second = first.replace("\"time\":1795642114302", "\"time\":1795642124302").replaceFirst("\"events\":\"", "\"events\":\"B");
        List<FixtureRecord> chunks = List.of(third, first, second).stream().map(body ->
                FixtureRecords.of(new WebSeeFixtures.CapturedRequest("POST", "/reportData", "application/json", null, body), RECEIVED_AT)).toList();
        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), chunks);
        await().atMost(Duration.ofSeconds(30)).until(() -> storedCount(chunks.stream().map(FixtureRecord::eventId).toList()) == 3);

        JsonNode recording = read("/api/record-screen/18ca99af-bbca-44ce-b04f-c505dd74c23d?apikey=shop", "shop-read-token").get("data");

        assertThat(recording.get("uuid").stringValue()).isEqualTo("91d63f30-dd8a-416e-b64a-2b4f7a80e17a");
        JsonNode stored = recording.get("chunks");
        assertThat(stored).hasSize(3);
        assertThat(List.of(stored.get(0).get("time").longValue(), stored.get(1).get("time").longValue(), stored.get(2).get("time").longValue()))
                .containsExactly(1795642114302L, 1795642124302L, 1795642134302L);
        assertThat(stored.get(0).get("events").stringValue()).startsWith("H4sI");
        assertThat(stored.get(1).get("events").stringValue()).startsWith("BH4sI");
        assertThat(get("/api/record-screen/nope?apikey=shop", "shop-read-token").statusCode()).isEqualTo(404);
    }

    @Test
    void servesEachKindOfPerformanceSampleOnItsOwnPath() throws Exception {
        List<FixtureRecord> samples = shopRecords("performance", "whiteScreen");
        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), samples);
        await().atMost(Duration.ofSeconds(30)).until(() -> storedCount(samples.stream().map(FixtureRecord::eventId).toList()) == 62);

        Map<String, Long> totals = new java.util.LinkedHashMap<>();
        for (String kind : List.of("metrics", "metrics?name=LCP", "resources", "long-tasks", "memory", "fsp", "white-screen")) {
            String path = "/api/performance/" + kind + (kind.contains("?") ? "&" : "?") + "apikey=shop";
            totals.put(kind, read(path, "shop-read-token").get("data").get("total").longValue());
        }
        JsonNode shopPage = read("/api/performance/white-screen?apikey=shop&pageSize=50&pageUrl="
                + java.net.URLEncoder.encode("http://127.0.0.1:8080/shop/", StandardCharsets.UTF_8), "shop-read-token").get("data");

        assertThat(totals).containsExactly(Map.entry("metrics", 31L), Map.entry("metrics?name=LCP", 5L), Map.entry("resources", 6L),
                Map.entry("long-tasks", 5L), Map.entry("memory", 6L), Map.entry("fsp", 5L), Map.entry("white-screen", 14L));
        assertThat(shopPage.get("list")).isNotEmpty().allSatisfy(item ->
                assertThat(item.get("pageUrl").stringValue()).isEqualTo("http://127.0.0.1:8080/shop/"));
        assertThat(read("/api/performance/metrics?apikey=shop&name=FID&rating=good", "shop-read-token").get("data").get("total").longValue())
                .isEqualTo(5);
        assertThat(read("/api/performance/resources?apikey=shop&initiatorType=img", "shop-read-token").get("data").get("total").longValue())
                .isEqualTo(3);
        JsonNode android = read("/api/performance/white-screen?apikey=shop&os=Android", "shop-read-token").get("data");
        assertThat(android.get("total").longValue()).isEqualTo(1);
        assertThat(android.get("list").get(0).get("deviceInfo").get("os").stringValue()).isEqualTo("Android");
        assertThat(read("/api/performance/white-screen?apikey=shop&status=error", "shop-read-token").get("data").get("total").longValue())
                .isEqualTo(9);
        assertThat(get("/api/performance/battery?apikey=shop", "shop-read-token").statusCode()).isEqualTo(404);
        assertThat(get("/api/performance/resources?apikey=shop&name=LCP", "shop-read-token").statusCode()).isEqualTo(400);
    }

    @Test
    void keepsARecordingLargerThanMongosDocumentLimitAndServesItBackByteForByteAPageAtATime() throws Exception {
        String chunk = fixtures.ofType("recordScreen").stream().map(WebSeeFixtures.CapturedRequest::body)
                .max(java.util.Comparator.comparingInt(String::length)).orElseThrow()
                .replace("\"apikey\":\"demo-project\"", "\"apikey\":\"shop\"")
                .replaceFirst("\"recordScreenId\":\"[^\"]+\"", "\"recordScreenId\":\"long-session\"");
        String padding = "A".repeat(1_000_000 - chunk.length());
        List<String> sentEvents = new ArrayList<>();
        List<FixtureRecord> chunks = new ArrayList<>();
        for (int i = 0; i < 28; i++) {
            String events = "chunk" + (100 + i) + padding;
            sentEvents.add(events);
            String body = chunk.replaceFirst("\"events\":\"[^\"]*\"", "\"events\":\"" + events + "\"")
                    .replaceFirst("\"time\":\\d+", "\"time\":" + (1795642200000L + i * 10_000L));
            chunks.add(FixtureRecords.of(new WebSeeFixtures.CapturedRequest("POST", "/reportData", "application/json", null, body), RECEIVED_AT));
        }
        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), chunks);
        await().atMost(Duration.ofSeconds(60)).until(() -> storedCount(chunks.stream().map(FixtureRecord::eventId).toList()) == 28);

        // A page holds at most 4 MiB of chunks: six of these (about 640 KB each), then a cursor to the rest.
        List<String> served = new ArrayList<>();
        List<Integer> pageSizes = new ArrayList<>();
        List<Long> pageBytes = new ArrayList<>();
        List<Boolean> budgetReached = new ArrayList<>();
        JsonNode page = read("/api/record-screen/long-session?apikey=shop&pageSize=100", "shop-read-token").get("data");
        while (true) {
            pageSizes.add(page.get("chunks").size());
            long bytes = 0;
            for (JsonNode stored : page.get("chunks")) {
                served.add(stored.get("events").stringValue());
                bytes += stored.get("events").stringValue().length();
            }
            pageBytes.add(bytes);
            budgetReached.add(page.get("budgetReached").booleanValue());
            if (page.get("next").isNull() || pageSizes.size() > 28) {
                break;
            }
            page = read("/api/record-screen/long-session?apikey=shop&pageSize=100&after=" + page.get("next").stringValue(),
                    "shop-read-token").get("data");
        }

        assertThat(served.stream().mapToLong(String::length).sum()).isGreaterThan(16L * 1024 * 1024);
        assertThat(served).isEqualTo(sentEvents);
        assertThat(sentEvents.get(0).length()).isBetween(600_000, 700_000);
        assertThat(pageSizes).containsExactly(6, 6, 6, 6, 4);
        assertThat(budgetReached).containsExactly(true, true, true, true, false);
        assertThat(pageBytes).allSatisfy(bytes -> assertThat(bytes).isLessThanOrEqualTo(4L * 1024 * 1024));
    }

    @Test
    void showsEachProjectOnlyItsOwnEventsAndRefusesItsIdsToAnother() throws Exception {
        List<FixtureRecord> demo = new ArrayList<>();
        for (String type : ERROR_TYPES) {
            fixtures.ofType(type).forEach(request -> demo.add(FixtureRecords.of(request, RECEIVED_AT)));
        }
        List<FixtureRecord> shop = shopRecords(ERROR_TYPES.toArray(String[]::new));
        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), demo);
        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), shop);
        await().atMost(Duration.ofSeconds(30)).until(() -> storedCount(demo.stream().map(FixtureRecord::eventId).toList()) == 22
                && storedCount(shop.stream().map(FixtureRecord::eventId).toList()) == 22);

        JsonNode shopList = json.readTree(get("/api/errors/list?apikey=shop&pageSize=100", "shop-read-token").body()).get("data");
        JsonNode demoList = errorsList("pageSize=100", "demo-read-token").get("data");

        assertThat(shopList.get("list")).isNotEmpty().allSatisfy(item -> assertThat(item.get("apikey").stringValue()).isEqualTo("shop"));
        assertThat(demoList.get("list")).isNotEmpty()
                .allSatisfy(item -> assertThat(item.get("apikey").stringValue()).isEqualTo("demo-project"));
        String shopErrorId = shopList.get("list").get(0).get("id").stringValue();
        assertThat(get("/api/errors/" + shopErrorId + "?apikey=demo-project", "demo-read-token").statusCode()).isEqualTo(404);
        assertThat(get("/api/errors/" + shopErrorId + "?apikey=shop", "demo-read-token").statusCode()).isEqualTo(403);
    }

    @Test
    void refusesReadsWithoutTheProjectsTokenAndBadParameters() throws Exception {
        assertThat(get("/api/errors/list?apikey=demo-project", null).statusCode()).isEqualTo(401);
        HttpResponse<String> foreign = get("/api/errors/list?apikey=demo-project", "shop-read-token");
        assertThat(foreign.statusCode()).isEqualTo(403);
        assertThat(foreign.body()).isEqualTo("{\"code\":403,\"message\":\"apikey: the read token does not belong to project \\\"demo-project\\\"\"}");
        HttpResponse<String> noApikey = get("/api/errors/list", "demo-read-token");
        assertThat(noApikey.statusCode()).isEqualTo(400);
        assertThat(noApikey.body()).contains("apikey: is required");
        assertThat(get("/api/errors/list?apikey=demo-project&pageSize=1000", "demo-read-token").body())
                .contains("pageSize: must be between 1 and 100, got 1000");
        assertThat(get("/api/errors/list?apikey=demo-project&startTime=yesterday", "demo-read-token").body())
                .contains("startTime: expected long, got \\\"yesterday\\\"");
    }

    @Test
    void definesAnIndexForEveryQueryAndItsSortAndRetentionPerFamily() {
        List<Document> errorIndexes = database.getCollection("error").listIndexes().into(new ArrayList<>());
        List<Document> replayIndexes = database.getCollection("record-screen").listIndexes().into(new ArrayList<>());

        assertThat(errorIndexes).extracting(index -> index.getString("name"))
                .contains("apikey_time_id", "apikey_type_time_id", "apikey_fingerprint_time_id", "recordScreenId", "retention")
                .doesNotContain("apikey_time", "apikey_type_time", "apikey_fingerprint_time");
        assertThat(indexNames("http")).contains("apikey_time_id", "apikey_type_time_id", "apikey_fingerprint_time_id", "retention");
        assertThat(indexNames("performance")).contains("apikey_time_id", "apikey_name_time_id", "retention")
                .doesNotContain("apikey_fingerprint_time_id", "apikey_name_time");
        assertThat(indexKeys("error", "apikey_time_id")).isEqualTo(new Document("apikey", 1).append("time", -1).append("_id", 1));
        assertThat(indexKeys("http", "apikey_fingerprint_time_id"))
                .isEqualTo(new Document("apikey", 1).append("fingerprint", 1).append("time", -1).append("_id", 1));
        assertThat(indexKeys("resource", "apikey_type_time_id"))
                .isEqualTo(new Document("apikey", 1).append("type", 1).append("time", -1).append("_id", 1));
        assertThat(indexKeys("performance", "apikey_name_time_id"))
                .isEqualTo(new Document("apikey", 1).append("name", 1).append("time", -1).append("_id", 1));
        assertThat(indexKeys("record-screen", "apikey_recordScreenId_time")).isEqualTo(new Document("apikey", 1)
                .append("recordScreenId", 1).append("time", 1).append("receivedAt", 1).append("_id", 1));
        assertThat(expireAfterSeconds(errorIndexes)).isEqualTo(Duration.ofDays(90).toSeconds());
        assertThat(expireAfterSeconds(replayIndexes)).isEqualTo(Duration.ofDays(7).toSeconds());
    }

    @Test
    void waitsFiveSecondsNotThirtyToFindMongoUnlessTheUriSaysOtherwise(@Autowired com.mongodb.client.MongoClient client) {
        assertThat(client.getClusterDescription().getClusterSettings().getServerSelectionTimeout(TimeUnit.MILLISECONDS)).isEqualTo(5000);
    }

    /** The driver's default is to wait forever, which would hold the consumer with nothing logged or counted. */
    @Test
    void waitsAMinuteNotForeverForMongosAnswer(
            @Autowired List<org.springframework.boot.mongodb.autoconfigure.MongoClientSettingsBuilderCustomizer> customizers) {
        var settings = com.mongodb.MongoClientSettings.builder();
        customizers.forEach(customizer -> customizer.customize(settings));

        assertThat(settings.build().getSocketSettings().getReadTimeout(TimeUnit.MILLISECONDS)).isEqualTo(60_000);
    }

    /**
     * The store recognises redelivered events, so waiting for each commit would only slow the
     * consumer; a commit that fails is made again once its partition is idle (FailedCommitRetriesTest).
     */
    @Test
    void commitsOffsetsWithoutWaitingForTheBrokerAndMakesFailedCommitsGood(
            @Autowired org.springframework.kafka.config.KafkaListenerEndpointRegistry listeners) {
        assertThat(listeners.getListenerContainers()).isNotEmpty().allSatisfy(container -> {
            assertThat(container.getContainerProperties().isSyncCommits()).isFalse();
            assertThat(container.getContainerProperties().getCommitCallback()).isNotNull();
            assertThat(container.getContainerProperties().getIdlePartitionEventInterval()).isEqualTo(5_000L);
        });
    }

    /** A crashed instance's partitions go to the group's others after 10 s of missed heartbeats, not Kafka's 45 s. */
    @Test
    void givesUpOnACrashedInstancesHeartbeatsAfterTenSeconds(
            @Autowired org.springframework.kafka.core.ConsumerFactory<?, ?> consumers) {
        assertThat(consumers.getConfigurationProperties())
                .containsEntry("session.timeout.ms", "10000")
                .containsEntry("heartbeat.interval.ms", "3000");
    }

    @Test
    void reportsHealthyWhenMongoAnswersPing() throws Exception {
        HttpResponse<String> health = management("/actuator/health", null);

        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\":\"UP\"");
    }

    /** Ready means storing and answering: the consumer's progress and MongoDB are part of it, the JVM's state alone is liveness. */
    @Test
    void isReadyWhileItStoresAndMongoAnswers() throws Exception {
        HttpResponse<String> readiness = management("/actuator/health/readiness", null);

        assertThat(readiness.statusCode()).isEqualTo(200);
        assertThat(readiness.body()).contains("\"consumerProgress\"", "\"mongoPing\"", "\"readinessState\"");
        assertThat(management("/actuator/health/liveness", null).statusCode()).isEqualTo(200);
    }

    @Test
    void answersHealthAndMetricsOnlyOnTheManagementPort() throws Exception {
        assertThat(managementPort).isNotEqualTo(port);
        assertThat(get("/actuator/health", null).statusCode()).isEqualTo(404);
        assertThat(get("/actuator/prometheus", null).statusCode()).isEqualTo(404);
        assertThat(management("/actuator/env", null).statusCode()).isEqualTo(404);
    }

    @Test
    void countsStoredAndDuplicateDocumentsWriteAndEndToEndLatencyAndConsumerLag() throws Exception {
        PrometheusSamples before = PrometheusSamples.parse(management("/actuator/prometheus", null).body());
        FixtureRecord shopFetch = shopRecords("fetch").get(0);
        // An event no other test sends: its own time makes its own event id.
        FixtureRecord event = FixtureRecords.of(new WebSeeFixtures.CapturedRequest("POST", "/reportData", "application/json", null,
                new String(shopFetch.value(), java.nio.charset.StandardCharsets.UTF_8)
                        .replaceFirst("\"time\":\\d+", "\"time\":" + System.currentTimeMillis())), RECEIVED_AT);
        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), List.of(event));
        await().atMost(Duration.ofSeconds(30)).until(() -> storedCount(List.of(event.eventId())) == 1);
        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), List.of(event));
        await().atMost(Duration.ofSeconds(30)).until(() -> management("/actuator/prometheus", null).body()
                .contains("track_consume_events_total{application=\"consumer-writer\",family=\"http\",group=\"track-writer\",outcome=\"duplicate\"}"));

        String metrics = management("/actuator/prometheus", null).body();
        PrometheusSamples after = PrometheusSamples.parse(metrics);

        // At least: other tests' redeliveries may be stored meanwhile (ConsumerMetersTest counts exactly).
        String http = "{application=\"consumer-writer\",family=\"http\",group=\"track-writer\"";
        assertThat(after.increaseSince(before, "track_consume_events_total" + http + ",outcome=\"stored\"}")).isGreaterThanOrEqualTo(1);
        assertThat(after.increaseSince(before, "track_consume_events_total" + http + ",outcome=\"duplicate\"}")).isGreaterThanOrEqualTo(1);
        assertThat(after.increaseSince(before, "track_consume_write_seconds_count" + http + "}")).isGreaterThanOrEqualTo(2);
        assertThat(after.increaseSince(before, "track_consume_end_to_end_seconds_count" + http + "}")).isGreaterThanOrEqualTo(2);
        assertThat(metrics.lines().filter(line -> line.startsWith("track_consume_end_to_end_seconds_bucket" + http))).hasSize(13);
        assertThat(metrics).contains("track_consume_batch_events_count{application=\"consumer-writer\",group=\"track-writer\"}",
                "kafka_consumer_fetch_manager_records_lag");
    }

    @Test
    void theBenchmarksListenerControlsHoldEventsBackUntilTheListenersResume() throws Exception {
        assertThat(post("/bench/listeners/pause").statusCode()).isEqualTo(200);
        String marker;
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> get("/bench/listeners", null).body().contains("\"paused\":true"));
            marker = produceMarker();

            // A running writer stores a fresh event in well under a second (every other test waits on that).
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> storedCount(List.of(marker)) == 0);
        } finally {
            assertThat(post("/bench/listeners/resume").body()).contains("\"pauseRequested\":false");
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> storedCount(List.of(marker)) == 1);
        assertThat(get("/bench/listeners", null).body()).isEqualTo("{\"code\":0,\"data\":{\"pauseRequested\":false,\"paused\":false}}");
    }

    private List<String> indexNames(String collection) {
        return database.getCollection(collection).listIndexes().map(index -> index.getString("name")).into(new ArrayList<>());
    }

    private Document indexKeys(String collection, String name) {
        return database.getCollection(collection).listIndexes().into(new ArrayList<>()).stream()
                .filter(index -> name.equals(index.getString("name"))).map(index -> index.get("key", Document.class)).findFirst().orElseThrow();
    }

    private static long expireAfterSeconds(List<Document> indexes) {
        return indexes.stream().filter(index -> "retention".equals(index.getString("name")))
                .map(index -> ((Number) index.get("expireAfterSeconds")).longValue()).findFirst().orElseThrow();
    }

    private long storedCount(List<String> ids) {
        long count = 0;
        for (String collection : List.of("error", "resource", "http", "performance", "white-screen", "record-screen", "custom")) {
            count += database.getCollection(collection).countDocuments(Filters.in("_id", ids));
        }
        return count;
    }

    /** A fresh event produced after the others: once it is stored, everything before it was consumed. */
    private String produceMarker() throws Exception {
        var request = new WebSeeFixtures.CapturedRequest("POST", "/reportData", "application/json", null,
                "{\"type\":\"custom\",\"apikey\":\"demo-project\",\"time\":1795642100000,\"uuid\":\"" + UUID.randomUUID() + "\"}");
        FixtureRecord marker = FixtureRecords.of(request, RECEIVED_AT);
        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), List.of(marker));
        return marker.eventId();
    }

    private static FixtureRecord customEvent(String session, int sequence, String extraFields) {
        return FixtureRecords.of(new WebSeeFixtures.CapturedRequest("POST", "/reportData", "application/json", null,
                "{\"type\":\"custom\",\"apikey\":\"demo-project\",\"time\":" + (1795642100000L + sequence)
                        + ",\"uuid\":\"" + session + "\"" + extraFields + "}"), RECEIVED_AT);
    }

    private static FixtureRecord withSession(FixtureRecord record, String session) {
        return new FixtureRecord(record.eventId(), record.type(), record.topic(), "demo-project/" + session, record.value(), record.headers());
    }

    private List<FixtureRecord> shopRecords(String... types) {
        return java.util.Arrays.stream(types).flatMap(type -> fixtures.ofType(type).stream())
                .map(request -> new WebSeeFixtures.CapturedRequest(request.method(), request.path(), request.contentType(), null,
                        request.body().replace("\"apikey\":\"demo-project\"", "\"apikey\":\"shop\"")))
                .map(request -> FixtureRecords.of(request, RECEIVED_AT)).toList();
    }

    private JsonNode read(String path, String token) throws Exception {
        HttpResponse<String> response = get(path, token);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }

    private static String encoded(String value) {
        return java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8);
    }

    private JsonNode errorsList(String query, String token) throws Exception {
        HttpResponse<String> response = get("/api/errors/list?apikey=demo-project&" + query, token);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }

    private HttpResponse<String> post(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).POST(HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        return get(port, path, token);
    }

    /** Health and metrics answer on the management port only. */
    private HttpResponse<String> management(String path, String token) throws Exception {
        return get(managementPort, path, token);
    }

    private HttpResponse<String> get(int port, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String header(org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
