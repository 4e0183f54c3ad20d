package dev.trackpipeline.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.model.fixtures.WebSeeFixtures;
import dev.trackpipeline.model.fixtures.WebSeeFixtures.CapturedRequest;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Each service serves an OpenAPI description of its API at {@code /v3/api-docs}; every operation
 * in it is called for real, on the pipeline {@code bin/track local} runs, and each answer (the
 * successes and the refusals) must be one the description lists, with a body of its schema.
 */
class ApiDescriptionIT {

    static final String ERROR_RECORDING = "18ca99af-bbca-44ce-b04f-c505dd74c23d";

    @TempDir
    static Path dataDir;

    static LocalPipeline pipeline;
    static final WebSeeFixtures fixtures = WebSeeFixtures.load();
    static final HttpClient http = HttpClient.newHttpClient();
    static final JsonMapper json = JsonMapper.builder().build();

    @BeforeAll
    static void startPipelineWithTheSdksEvents() throws Exception {
        pipeline = TestPipelines.startLocal(dataDir);
        for (CapturedRequest request : fixtures.posts()) {
            assertThat(TestPipelines.post(pipeline, request).statusCode()).isEqualTo(202);
        }
        // An INP no browser can measure: counted as invalid, so its percentiles are null in the answers.
        assertThat(TestPipelines.post(pipeline, new CapturedRequest("POST", "/reportData", "application/json", null,
                "{\"type\":\"performance\",\"name\":\"INP\",\"value\":-5,\"rating\":\"good\",\"time\":1795642100000,"
                        + "\"apikey\":\"demo-project\",\"uuid\":\"implausible\",\"pageUrl\":\"http://127.0.0.1:8080/shop/\"}"))
                .statusCode()).isEqualTo(202);
        TestPipelines.awaitBothConsumersCaughtUp(pipeline);
    }

    @AfterAll
    static void stopPipeline() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void theGatewayAnswersAsItsDescriptionSays() throws Exception {
        OpenApiDescription api = OpenApiDescription.of(pipeline.url("gateway"));
        String event = fixtures.first("resource").body().replace("\"time\":", "\"time\":1");

        assertThat(api.document().get("info").get("title").stringValue()).isEqualTo("track-pipeline gateway");
        assertThat(api.operations()).containsExactly("GET /reportData", "POST /reportData");
        api.assertDescribes("POST", "/reportData", post(event, "text/plain;charset=UTF-8"));
        api.assertDescribes("POST", "/reportData", post("{\"type\":", "application/json"));
        api.assertDescribes("POST", "/reportData", post(event, "application/xml"));
        api.assertDescribes("POST", "/reportData", post(event.replace("\"apikey\":\"demo-project\"", "\"apikey\":\"nobody\""),
                "application/json"));
        api.assertDescribes("GET", "/reportData", get("/reportData?data=" + URLEncoder.encode(event, StandardCharsets.UTF_8), null, "gateway"));
        assertThat(api.checkedOperations()).isEqualTo(api.operations());
    }

    @Test
    void theWriterAnswersAsItsDescriptionSays() throws Exception {
        OpenApiDescription api = OpenApiDescription.of(pipeline.url("consumer-writer"));
        HttpResponse<String> list = writer("/api/errors/list?apikey=demo-project&pageSize=5");
        String errorId = json.readTree(list.body()).get("data").get("list").get(0).get("id").stringValue();
        String fingerprint = json.readTree(list.body()).get("data").get("list").get(0).get("fingerprint").stringValue();

        assertThat(api.operations()).containsExactly("GET /api/errors/groups/{fingerprint}", "GET /api/errors/list", "GET /api/errors/stats",
                "GET /api/errors/{id}", "GET /api/performance/{kind}", "GET /api/record-screen/{recordScreenId}");
        api.assertDescribes("GET", "/api/errors/list", list);
        api.assertDescribes("GET", "/api/errors/list", writer("/api/errors/list?apikey=demo-project&type=xhr&status=error"));
        api.assertDescribes("GET", "/api/errors/list", writer("/api/errors/list?apikey=demo-project&page=0"));
        api.assertDescribes("GET", "/api/errors/list", get("/api/errors/list?apikey=demo-project", null, "consumer-writer"));
        api.assertDescribes("GET", "/api/errors/list", get("/api/errors/list?apikey=demo-project", "someone-else", "consumer-writer"));
        api.assertDescribes("GET", "/api/errors/stats", writer("/api/errors/stats?apikey=demo-project&startTime=0&endTime=1900000000000"));
        api.assertDescribes("GET", "/api/errors/groups/{fingerprint}", writer("/api/errors/groups/" + fingerprint + "?apikey=demo-project"));
        api.assertDescribes("GET", "/api/errors/groups/{fingerprint}", writer("/api/errors/groups/no-such-group?apikey=demo-project"));
        api.assertDescribes("GET", "/api/errors/list", writer("/api/errors/list?apikey=demo-project&fingerprint=" + fingerprint));
        api.assertDescribes("GET", "/api/errors/{id}", writer("/api/errors/" + errorId + "?apikey=demo-project"));
        api.assertDescribes("GET", "/api/errors/{id}", writer("/api/errors/no-such-id?apikey=demo-project"));
        api.assertDescribes("GET", "/api/performance/{kind}", writer("/api/performance/metrics?apikey=demo-project&name=LCP"));
        api.assertDescribes("GET", "/api/performance/{kind}", writer("/api/performance/resources?apikey=demo-project&pageSize=2"));
        api.assertDescribes("GET", "/api/performance/{kind}", writer("/api/performance/speed?apikey=demo-project"));
        api.assertDescribes("GET", "/api/record-screen/{recordScreenId}", writer("/api/record-screen/" + ERROR_RECORDING + "?apikey=demo-project"));
        assertThat(api.checkedOperations()).isEqualTo(api.operations());
        assertEveryReadOperationNamesTheReadToken(api);
    }

    @Test
    void theAggregatorAnswersAsItsDescriptionSays() throws Exception {
        OpenApiDescription api = OpenApiDescription.of(pipeline.url("consumer-aggregator"));

        assertThat(api.operations()).containsExactly("GET /api/metrics/overview", "GET /api/metrics/pages",
                "GET /api/metrics/performance", "GET /api/metrics/series", "GET /api/metrics/timeseries", "GET /api/metrics/top-errors",
                "GET /api/metrics/vitals");
        api.assertDescribes("GET", "/api/metrics/overview", aggregator("/api/metrics/overview?apikey=demo-project&window=1h"));
        api.assertDescribes("GET", "/api/metrics/overview", aggregator("/api/metrics/overview?apikey=demo-project&window=forever"));
        api.assertDescribes("GET", "/api/metrics/overview", get("/api/metrics/overview?apikey=demo-project", null, "consumer-aggregator"));
        api.assertDescribes("GET", "/api/metrics/timeseries", aggregator("/api/metrics/timeseries?apikey=demo-project&metric=type:error"));
        api.assertDescribes("GET", "/api/metrics/series", aggregator("/api/metrics/series?apikey=demo-project&metrics=type:error,sessions"));
        HttpResponse<String> vitals = aggregator("/api/metrics/vitals?apikey=demo-project");
        assertThat(json.readTree(vitals.body()).get("data").get("INP").get("p75").isNull()).isTrue();
        api.assertDescribes("GET", "/api/metrics/vitals", vitals);
        api.assertDescribes("GET", "/api/metrics/vitals", aggregator("/api/metrics/vitals?apikey=demo-project&pageUrl=/shop/"));
        api.assertDescribes("GET", "/api/metrics/pages", aggregator("/api/metrics/pages?apikey=demo-project&vital=LCP"));
        api.assertDescribes("GET", "/api/metrics/performance", aggregator("/api/metrics/performance?apikey=demo-project"));
        api.assertDescribes("GET", "/api/metrics/top-errors", aggregator("/api/metrics/top-errors?apikey=demo-project&limit=3"));
        api.assertDescribes("GET", "/api/metrics/top-errors", aggregator("/api/metrics/top-errors?apikey=demo-project&limit=0"));
        assertThat(api.checkedOperations()).isEqualTo(api.operations());
        assertEveryReadOperationNamesTheReadToken(api);
    }

    private static void assertEveryReadOperationNamesTheReadToken(OpenApiDescription api) {
        assertThat(api.document().get("components").get("securitySchemes").get("readToken").get("scheme").stringValue()).isEqualTo("bearer");
        api.document().get("paths").forEach(path -> path.forEach(operation -> {
            assertThat(operation.get("summary").stringValue()).isNotBlank();
            assertThat(operation.get("security").get(0).has("readToken")).isTrue();
            assertThat(operation.get("parameters").findValuesAsString("name")).doesNotContain("Authorization", "parameters");
        }));
    }

    private static HttpResponse<String> writer(String path) throws Exception {
        return get(path, "demo-read-token", "consumer-writer");
    }

    private static HttpResponse<String> aggregator(String path) throws Exception {
        return get(path, "demo-read-token", "consumer-aggregator");
    }

    private static HttpResponse<String> get(String path, String token, String service) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(pipeline.url(service) + path)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String body, String contentType) throws Exception {
        return TestPipelines.post(pipeline, new CapturedRequest("POST", "/reportData", contentType, null, body));
    }
}
