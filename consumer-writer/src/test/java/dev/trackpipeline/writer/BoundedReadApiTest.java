package dev.trackpipeline.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import dev.trackpipeline.infra.EmbeddedInfrastructure;
import dev.trackpipeline.infra.testing.KafkaTestRecords;
import dev.trackpipeline.model.fixtures.FixtureRecords;
import dev.trackpipeline.model.fixtures.FixtureRecords.FixtureRecord;
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
        await().atMost(Duration.ofSeconds(120)).until(() -> stored(planted) == 300);
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
    void refusesACursorTogetherWithAPageNumber() throws Exception {
        HttpResponse<String> both = get("/api/errors/list?apikey=shop&page=2&after=AQ");

        assertThat(both.statusCode()).isEqualTo(400);
        assertThat(json.readTree(both.body()).get("message").stringValue())
                .isEqualTo("after: cannot be combined with page (the cursor says where the page starts)");
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
