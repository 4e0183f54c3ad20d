package dev.trackpipeline.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import dev.trackpipeline.infra.EmbeddedInfrastructure;
import dev.trackpipeline.infra.testing.KafkaTestRecords;
import dev.trackpipeline.model.fixtures.FixtureRecords;
import dev.trackpipeline.model.fixtures.FixtureRecords.FixtureRecord;
import dev.trackpipeline.model.fixtures.WebSeeFixtures;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The read API at production size against what anyone can store at a public apikey: every
 * answer is bounded by the page budget (plus one document), whatever the documents weigh, and
 * the cursors still reach every stored event exactly once. The writer runs with its defaults
 * (4 MiB per page, totals counted up to 10,000).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "track.writer.group-id=bounded-reads-writer")
class BoundedReadApiTest {

    static final EmbeddedInfrastructure infra = EmbeddedInfrastructure.startForTests();
    static final Instant RECEIVED_AT = Instant.parse("2026-11-20T09:00:00Z");
    static final long PAGE_BUDGET = 4L * 1024 * 1024;
    /** Far after the captured fixtures' times: the planted errors are alone in their window. */
    static final long PLANTED_WINDOW = 1795900000000L;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", infra::kafkaBootstrapServers);
        registry.add("spring.mongodb.uri", infra::mongoUri);
        registry.add("track.projects-file", () -> FixtureRecords.testProjectsFile().toString());
    }

    @AfterAll
    static void stopInfrastructure() {
        infra.close();
    }

    @Autowired
    MongoDatabase database;

    @Value("${local.server.port}")
    int port;

    final HttpClient http = HttpClient.newHttpClient();
    final JsonMapper json = JsonMapper.builder().build();

    /**
     * 300 errors of about 900 KB each across the three error collections, six to a millisecond:
     * before, one page of them held hundreds of MB and ran the writer's 256 MB heap out.
     */
    @Test
    void pagesThroughThreeHundredLargePlantedErrorsWithinTheBudgetReachingEachExactlyOnce() throws Exception {
        List<FixtureRecord> planted = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String type = PlantedEvents.ERROR_TYPES.get(i % 3);
            planted.add(PlantedEvents.record(PlantedEvents.errorJson(type, "shop", PLANTED_WINDOW + i / 6, i, 900_000), RECEIVED_AT));
        }
        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), planted);
        // 270 MB through Kafka into the stand-in: minutes on a loaded 2-core machine
        await().atMost(Duration.ofMinutes(5)).until(() -> stored(planted) == 300);
        long oneDocument = planted.stream().mapToLong(record -> record.value().length).max().orElseThrow() + 1024;
        String window = "/api/errors/list?apikey=shop&pageSize=100&startTime=" + PLANTED_WINDOW + "&endTime=" + (PLANTED_WINDOW + 50);

        List<String> reached = new ArrayList<>();
        List<Long> times = new ArrayList<>();
        List<JsonNode> pages = new ArrayList<>();
        HttpResponse<String> answer = get(window);
        while (true) {
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat((long) answer.body().getBytes(StandardCharsets.UTF_8).length).isLessThan(PAGE_BUDGET + oneDocument);
            JsonNode page = json.readTree(answer.body()).get("data");
            pages.add(page);
            page.get("list").forEach(error -> {
                reached.add(error.get("id").stringValue());
                times.add(error.get("time").longValue());
            });
            if (page.get("next").isNull() || pages.size() > 300) {
                break;
            }
            answer = get(window + "&after=" + page.get("next").stringValue());
        }

        assertThat(reached).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(planted.stream().map(FixtureRecord::eventId).toList());
        assertThat(times).isSortedAccordingTo(java.util.Comparator.reverseOrder());
        // Four of them fit in 4 MiB, a fifth would not: each page stops at the budget, well before 100 errors.
        assertThat(pages).hasSize(75);
        assertThat(pages.subList(0, 74)).allSatisfy(page -> {
            assertThat(page.get("list")).hasSize(4);
            assertThat(page.get("budgetReached").booleanValue()).isTrue();
        });
        assertThat(pages.get(74).get("budgetReached").booleanValue()).isFalse();
        assertThat(pages).allSatisfy(page -> {
            assertThat(page.get("total").longValue()).isEqualTo(300);
            assertThat(page.get("totalIsAtLeast").booleanValue()).isFalse();
            assertThat(page.get("pageSize").intValue()).isEqualTo(100);
        });
        assertThat(pages.get(0).get("page").intValue()).isEqualTo(1);
        assertThat(pages.get(1).get("page").isNull()).isTrue();
        // Paging by number stays within the budget too, and its cursor leads to what follows it.
        JsonNode second = json.readTree(get(window.replace("pageSize=100", "pageSize=4") + "&page=2").body()).get("data");
        assertThat(second.get("list")).extracting(error -> error.get("id").stringValue()).containsExactlyElementsOf(reached.subList(4, 8));
        JsonNode third = json.readTree(get(window.replace("pageSize=100", "pageSize=4") + "&after=" + second.get("next").stringValue())
                .body()).get("data");
        assertThat(third.get("list")).extracting(error -> error.get("id").stringValue()).containsExactlyElementsOf(reached.subList(8, 12));
    }

    @Test
    void refusesACursorItDidNotIssueWithA400NamingTheParameter() throws Exception {
        HttpResponse<String> garbage = get("/api/errors/list?apikey=shop&after=" + URLEncoder.encode("{\"$gt\":\"\"}", StandardCharsets.UTF_8));
        HttpResponse<String> tampered = get("/api/errors/list?apikey=shop&after=AQVAAAAAAAAB");
        HttpResponse<String> onPerformance = get("/api/performance/memory?apikey=shop&after=not-a-cursor");

        assertThat(garbage.statusCode()).isEqualTo(400);
        assertThat(json.readTree(garbage.body()).get("message").stringValue())
                .isEqualTo("after: not a cursor this API issued (it is not base64url); pass the next of a previous answer unchanged");
        assertThat(tampered.statusCode()).isEqualTo(400);
        assertThat(json.readTree(tampered.body()).get("message").stringValue()).startsWith("after: not a cursor this API issued");
        assertThat(onPerformance.statusCode()).isEqualTo(400);
        assertThat(json.readTree(onPerformance.body()).get("message").stringValue()).startsWith("after: ");
    }

    @Test
    void refusesACursorOfARecordingOnAListAndOfAListOnARecording() throws Exception {
        List<FixtureRecord> chunks = recording("cursor-kinds", 2);
        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), chunks);
        await().atMost(Duration.ofSeconds(30)).until(() -> stored(chunks) == 2);
        String recordingCursor = read("/api/record-screen/cursor-kinds?apikey=shop&pageSize=1").get("next").stringValue();
        List<FixtureRecord> errors = List.of(
                PlantedEvents.record(PlantedEvents.errorJson("error", "shop", PLANTED_WINDOW - 10, 1, 10), RECEIVED_AT),
                PlantedEvents.record(PlantedEvents.errorJson("error", "shop", PLANTED_WINDOW - 11, 2, 10), RECEIVED_AT));
        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), errors);
        await().atMost(Duration.ofSeconds(30)).until(() -> stored(errors) == 2);
        String listCursor = read("/api/errors/list?apikey=shop&type=error&pageSize=1&startTime=" + (PLANTED_WINDOW - 11)
                + "&endTime=" + (PLANTED_WINDOW - 10)).get("next").stringValue();

        HttpResponse<String> recordingOnList = get("/api/errors/list?apikey=shop&after=" + recordingCursor);
        HttpResponse<String> listOnRecording = get("/api/record-screen/cursor-kinds?apikey=shop&after=" + listCursor);

        assertThat(recordingOnList.statusCode()).isEqualTo(400);
        assertThat(json.readTree(recordingOnList.body()).get("message").stringValue()).isEqualTo("after: this cursor is a position in a "
                + "recording's chunks (in recorded order), not in a list of events (newest first); pass the next of an answer of this endpoint");
        assertThat(listOnRecording.statusCode()).isEqualTo(400);
        assertThat(json.readTree(listOnRecording.body()).get("message").stringValue())
                .startsWith("after: this cursor is a position in a list of events (newest first), not in a recording's chunks");
    }

    @Test
    void refusesACursorTogetherWithAPageNumber() throws Exception {
        HttpResponse<String> both = get("/api/errors/list?apikey=shop&page=2&after=AQ");

        assertThat(both.statusCode()).isEqualTo(400);
        assertThat(json.readTree(both.body()).get("message").stringValue())
                .isEqualTo("after: cannot be combined with page (the cursor says where the page starts)");
    }

    @Test
    void servesARecordingLongerThanOnePageInRecordedOrderThroughItsCursors() throws Exception {
        List<FixtureRecord> chunks = recording("five-chunks", 5);
        List<FixtureRecord> lastFirst = new ArrayList<>(chunks);
        java.util.Collections.reverse(lastFirst);
        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), lastFirst);
        await().atMost(Duration.ofSeconds(30)).until(() -> stored(chunks) == 5);

        List<JsonNode> pages = new ArrayList<>();
        JsonNode page = read("/api/record-screen/five-chunks?apikey=shop&pageSize=2");
        pages.add(page);
        while (!page.get("next").isNull() && pages.size() < 10) {
            page = read("/api/record-screen/five-chunks?apikey=shop&pageSize=2&after=" + page.get("next").stringValue());
            pages.add(page);
        }

        assertThat(pages).extracting(each -> each.get("chunks").size()).containsExactly(2, 2, 1);
        assertThat(pages.stream().flatMap(each -> java.util.stream.StreamSupport.stream(each.get("chunks").spliterator(), false))
                .map(chunk -> chunk.get("id").stringValue()).toList()).containsExactlyElementsOf(chunks.stream().map(FixtureRecord::eventId).toList());
        assertThat(pages).allSatisfy(each -> {
            assertThat(each.get("recordScreenId").stringValue()).isEqualTo("five-chunks");
            assertThat(each.get("uuid").stringValue()).isEqualTo("planted-session");
            assertThat(each.get("budgetReached").booleanValue()).isFalse();
        });
        JsonNode pastTheEnd = read("/api/record-screen/five-chunks?apikey=shop&after="
                + pages.get(1).get("next").stringValue() + "&pageSize=1");
        assertThat(pastTheEnd.get("chunks")).hasSize(1);
        assertThat(pastTheEnd.get("next").isNull()).isTrue();
    }

    @Test
    void refusesARecordingIdLongerThanAnyTheSdkMakesAndBadPageSizes() throws Exception {
        HttpResponse<String> tooLong = get("/api/record-screen/" + "r".repeat(129) + "?apikey=shop");
        HttpResponse<String> longest = get("/api/record-screen/" + "r".repeat(128) + "?apikey=shop");
        HttpResponse<String> tooManyChunks = get("/api/record-screen/five-chunks?apikey=shop&pageSize=101");

        assertThat(tooLong.statusCode()).isEqualTo(400);
        assertThat(json.readTree(tooLong.body()).get("message").stringValue())
                .isEqualTo("recordScreenId: must be 1 to 128 characters, got 129");
        assertThat(longest.statusCode()).isEqualTo(404);
        assertThat(tooManyChunks.statusCode()).isEqualTo(400);
        assertThat(json.readTree(tooManyChunks.body()).get("message").stringValue()).isEqualTo("pageSize: must be between 1 and 100, got 101");
    }

    @Test
    void describesCursorsBudgetsAndBoundedTotalsInTheOpenApiDescription() throws Exception {
        HttpResponse<String> served = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v3/api-docs")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode api = json.readTree(served.body());

        for (String path : List.of("/api/errors/list", "/api/performance/{kind}", "/api/record-screen/{recordScreenId}")) {
            JsonNode operation = api.get("paths").get(path).get("get");
            assertThat(operation.get("parameters").findValuesAsString("name")).as(path).contains("after", "pageSize");
            assertThat(parameter(operation, "after").get("description").stringValue()).as(path).contains("next");
            assertThat(operation.get("description").stringValue()).as(path).contains("after", "budget");
        }
        JsonNode page = data(api, "/api/errors/list");
        assertThat(page.get("properties").propertyNames()).contains("list", "total", "page", "pageSize", "next", "totalIsAtLeast",
                "budgetReached");
        assertThat(page.get("properties").get("next").get("type").values()).extracting(JsonNode::stringValue).containsExactly("string", "null");
        assertThat(page.get("properties").get("page").get("type").values()).extracting(JsonNode::stringValue)
                .containsExactly("integer", "null");
        assertThat(page.get("properties").get("budgetReached").get("description").stringValue()).contains("4 MiB");
        assertThat(page.get("properties").get("total").get("description").stringValue()).contains("10,000");
        assertThat(data(api, "/api/performance/{kind}")).isEqualTo(page);
        JsonNode recording = data(api, "/api/record-screen/{recordScreenId}");
        assertThat(recording.get("properties").propertyNames()).contains("chunks", "next", "budgetReached");
    }

    private static JsonNode parameter(JsonNode operation, String name) {
        for (JsonNode parameter : operation.get("parameters")) {
            if (parameter.get("name").stringValue().equals(name)) {
                return parameter;
            }
        }
        throw new AssertionError("no parameter " + name);
    }

    /** The schema of {@code data} in the 200 answer of {@code GET path}. */
    private static JsonNode data(JsonNode api, String path) {
        JsonNode envelope = resolve(api, api.get("paths").get(path).get("get").get("responses").get("200").get("content")
                .get("application/json").get("schema"));
        return resolve(api, envelope.get("properties").get("data"));
    }

    private static JsonNode resolve(JsonNode api, JsonNode schema) {
        return schema.has("$ref") ? api.get("components").get("schemas").get(schema.get("$ref").stringValue()
                .substring("#/components/schemas/".length())) : schema;
    }

    /** Chunks of one recording, recorded ten seconds apart, as the SDK sends them. */
    private static List<FixtureRecord> recording(String recordScreenId, int count) {
        String first = WebSeeFixtures.load().first("recordScreen").body();
        List<FixtureRecord> chunks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String body = first.replace("\"apikey\":\"demo-project\"", "\"apikey\":\"shop\"")
                    .replaceFirst("\"recordScreenId\":\"[^\"]+\"", "\"recordScreenId\":\"" + recordScreenId + "\"")
                    .replaceFirst("\"uuid\":\"[^\"]+\"", "\"uuid\":\"planted-session\"")
                    .replaceFirst("\"time\":\\d+", "\"time\":" + (PLANTED_WINDOW + i * 10_000L));
            chunks.add(PlantedEvents.record(body, RECEIVED_AT));
        }
        return chunks;
    }

    private long stored(List<FixtureRecord> records) {
        Set<String> ids = new HashSet<>(records.stream().map(FixtureRecord::eventId).toList());
        long count = 0;
        for (String collection : List.of("error", "resource", "http", "record-screen")) {
            count += database.getCollection(collection).countDocuments(Filters.in("_id", ids));
        }
        return count;
    }

    private JsonNode read(String path) throws Exception {
        HttpResponse<String> response = get(path);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body()).get("data");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("Authorization", "Bearer shop-read-token")
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
