package dev.trackpipeline.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trackpipeline.infra.EmbeddedInfrastructure;
import dev.trackpipeline.infra.testing.KafkaTestRecords;
import dev.trackpipeline.model.fixtures.FixtureRecords;
import dev.trackpipeline.model.fixtures.WebSeeFixtures;
import dev.trackpipeline.model.fixtures.WebSeeFixtures.CapturedRequest;
import dev.trackpipeline.model.kafka.TrackHeaders;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.apache.catalina.connector.Connector;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "track.projects-reload-interval=200ms")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(OutputCaptureExtension.class)
class ReportDataIntegrationTest {

    static final EmbeddedInfrastructure infra = EmbeddedInfrastructure.startForTests();
    static final WebSeeFixtures fixtures = WebSeeFixtures.load();
    static final Path projectsFile = FixtureRecords.testProjectsFile();

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", infra::kafkaBootstrapServers);
        registry.add("track.projects-file", projectsFile::toString);
    }

    @AfterAll
    static void stopInfrastructure() {
        infra.close();
    }

    @Value("${local.server.port}")
    int port;

    @Value("${local.management.port}")
    int managementPort;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    @Order(1) // counts everything in the topics, so it runs before the tests that add events
    void acceptsEveryRequestTheRealSdkSentAndPublishesEachEventUntouchedToItsTopic() throws Exception {
        List<CapturedRequest> posts = fixtures.posts();
        for (CapturedRequest request : posts) {
            HttpResponse<String> response = post(request.bodyBytes(), request.contentType(), Map.of("Origin", "http://127.0.0.1:8080"));
            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
            assertThat(response.body()).isEqualTo("{\"accepted\":1,\"rejected\":[]}");
        }

        List<ConsumerRecord<String, byte[]>> published = KafkaTestRecords.readAtLeast(infra.kafkaBootstrapServers(), posts.size(),
                "track.error", "track.resource", "track.http", "track.performance", "track.white-screen",
                "track.record-screen", "track.custom");

        assertThat(published).hasSize(posts.size());
        Set<String> sentBodies = new HashSet<>(posts.stream().map(CapturedRequest::body).toList());
        for (ConsumerRecord<String, byte[]> record : published) {
            String value = new String(record.value(), StandardCharsets.UTF_8);
            assertThat(sentBodies).contains(value);
            assertThat(header(record, TrackHeaders.APIKEY)).isEqualTo("demo-project");
            assertThat(header(record, TrackHeaders.EVENT_ID)).hasSize(32);
            assertThat(header(record, TrackHeaders.SCHEMA_VERSION)).isEqualTo("1");
            assertThat(Long.parseLong(header(record, TrackHeaders.RECEIVED_AT))).isPositive();
            assertThat(record.key()).startsWith("demo-project/");
        }
        assertThat(published).filteredOn(record -> record.topic().equals("track.record-screen")).hasSize(5);
        assertThat(published).filteredOn(record -> record.topic().equals("track.http")).hasSize(9);
        assertThat(published).filteredOn(record -> record.topic().equals("track.error")).hasSize(8);
    }

    @Test
    void acceptsTheValidEventsOfAPartlyInvalidBatchAndExplainsEachRejection() throws Exception {
        String body = "[" + fixtures.first("xhr").body() + ",{\"type\":\"whiteScreen\",\"apikey\":\"demo-project\",\"uuid\":\"u\"}]";

        HttpResponse<String> response = post(body.getBytes(StandardCharsets.UTF_8), "application/json", Map.of());

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(response.body()).isEqualTo("{\"accepted\":1,\"rejected\":[{\"index\":1,\"outcome\":\"invalid_event\","
                + "\"reason\":\"events[1].time: is required; events[1].status: is required\"}]}");
    }

    @Test
    void acceptsTheSdksImageBeaconTransport() throws Exception {
        String event = fixtures.first("whiteScreen").body().replaceFirst("\"uuid\":\"[^\"]+\"", "\"uuid\":\"image-beacon\"");
        String query = "data=" + java.net.URLEncoder.encode(event, StandardCharsets.UTF_8);

        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/reportData?" + query)).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(KafkaTestRecords.readAll(infra.kafkaBootstrapServers(), "track.white-screen"))
                .anyMatch(record -> new String(record.value(), StandardCharsets.UTF_8).equals(event));
    }

    @Test
    void refusesAnUnknownProjectWith403() throws Exception {
        String body = fixtures.first("error").body().replace("\"apikey\":\"demo-project\"", "\"apikey\":\"stranger\"");

        HttpResponse<String> response = post(body.getBytes(StandardCharsets.UTF_8), "text/plain;charset=UTF-8", Map.of());

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).contains("\"outcome\":\"unknown_apikey\"", "apikey: \\\"stranger\\\" is not a registered project");
    }

    @Test
    void refusesAnOriginTheEventsProjectDoesNotAllowWith403() throws Exception {
        HttpResponse<String> otherProjectsOrigin = post(fixtures.first("error").bodyBytes(), "text/plain",
                Map.of("Origin", "https://shop.example"));
        HttpResponse<String> nobodysOrigin = post(fixtures.first("error").bodyBytes(), "text/plain",
                Map.of("Origin", "https://evil.example"));

        assertThat(otherProjectsOrigin.statusCode()).isEqualTo(403);
        assertThat(otherProjectsOrigin.body()).contains("\"outcome\":\"origin_not_allowed\"",
                "Origin: https://shop.example is not allowed for project \\\"demo-project\\\"");
        assertThat(nobodysOrigin.statusCode()).isEqualTo(403);
    }

    @Test
    void refusesAnInvalidEventWith400NamingTheField() throws Exception {
        String body = "{\"type\":\"performance\",\"apikey\":\"demo-project\",\"time\":1795642103824,\"uuid\":\"u\",\"name\":\"LCP\",\"value\":\"slow\"}";

        HttpResponse<String> response = post(body.getBytes(StandardCharsets.UTF_8), "application/json", Map.of());

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("\"reason\":\"value: expected a number, got \\\"slow\\\"\"");
    }

    @Test
    void refusesContentTypesOtherThanJsonAndTextWith415() throws Exception {
        HttpResponse<String> response = post(fixtures.first("error").bodyBytes(), "application/x-www-form-urlencoded", Map.of());

        assertThat(response.statusCode()).isEqualTo(415);
        assertThat(response.body()).contains("Content-Type: \\\"application/x-www-form-urlencoded\\\" is not supported");
    }

    @Test
    void acceptsAGzippedBodyAndRefusesBogusGzip() throws Exception {
        HttpResponse<String> gzipped = post(gzip(fixtures.first("resource").bodyBytes()), "application/json",
                Map.of("Content-Encoding", "gzip"));
        HttpResponse<String> bogus = post("not gzip at all".getBytes(), "application/json", Map.of("Content-Encoding", "gzip"));

        assertThat(gzipped.statusCode()).isEqualTo(202);
        assertThat(bogus.statusCode()).isEqualTo(400);
        assertThat(bogus.body()).contains("body: Content-Encoding is gzip but the body is not valid gzip");
    }

    @Test
    void refusesABodyOverTheLimitWith413NamingTheLimit() throws Exception {
        byte[] huge = new byte[5 * 1024 * 1024];
        java.util.Arrays.fill(huge, (byte) ' ');

        HttpResponse<String> response = post(huge, "application/json", Map.of());

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.body()).contains("body: more than 4194304 bytes (maxBodyBytes)");
    }

    @Test
    void carriesTheLargestEventTheGatewayAcceptsThroughKafka() throws Exception {
        String replay = fixtures.ofType("recordScreen").stream().map(CapturedRequest::body)
                .max(java.util.Comparator.comparingInt(String::length)).orElseThrow();
        String padding = "A".repeat(1024 * 1024 - 200 - replay.length());
        String largest = replay.replaceFirst("\"events\":\"", "\"events\":\"" + padding)
                .replaceFirst("\"uuid\":\"[^\"]+\"", "\"uuid\":\"largest-event\"");
        assertThat(largest.length()).isBetween(1024 * 1024 - 300, 1024 * 1024);

        HttpResponse<String> response = post(largest.getBytes(StandardCharsets.UTF_8), "application/json", Map.of());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(KafkaTestRecords.readAll(infra.kafkaBootstrapServers(), "track.record-screen"))
                .anyMatch(record -> new String(record.value(), StandardCharsets.UTF_8).equals(largest));
    }

    @Test
    void refusesAGzipBombBeforeItFillsMemory() throws Exception {
        byte[] bomb = gzip(new byte[64 * 1024 * 1024]);
        assertThat(bomb.length).isLessThan(4 * 1024 * 1024);

        HttpResponse<String> response = post(bomb, "application/json", Map.of("Content-Encoding", "gzip"));

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.body()).contains("after gzip (maxDecompressedBytes)");
    }

    @Test
    void answersTheCrossOriginPreflightOfTheSdksFetchFallback() throws Exception {
        HttpRequest preflight = HttpRequest.newBuilder(uri("/reportData"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "http://127.0.0.1:8080")
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type")
                .build();

        HttpResponse<String> response = http.send(preflight, HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).hasValue("http://127.0.0.1:8080");
        assertThat(response.headers().firstValue("Access-Control-Allow-Methods").orElse("")).contains("POST");
        HttpResponse<String> post = post(fixtures.first("error").bodyBytes(), "application/json",
                Map.of("Origin", "http://127.0.0.1:8080"));
        assertThat(post.headers().firstValue("Access-Control-Allow-Origin")).hasValue("http://127.0.0.1:8080");
    }

    @Test
    void acceptsAProjectsEventsUpToItsRateLimitThenAnswers429WithRetryAfter() throws Exception {
        String event = fixtures.first("error").body().replace("\"apikey\":\"demo-project\"", "\"apikey\":\"limited\"");
        String batchOfThree = "[" + event + "," + event.replace("\"line\":4", "\"line\":5") + ","
                + event.replace("\"line\":4", "\"line\":6") + "]";

        HttpResponse<String> overBurst = post(batchOfThree.getBytes(StandardCharsets.UTF_8), "application/json", Map.of());
        HttpResponse<String> limited = post(event.getBytes(StandardCharsets.UTF_8), "application/json", Map.of());

        assertThat(overBurst.statusCode()).isEqualTo(202);
        assertThat(overBurst.body()).isEqualTo("{\"accepted\":2,\"rejected\":[{\"index\":2,\"outcome\":\"rate_limited\","
                + "\"reason\":\"apikey: project \\\"limited\\\" is over its rate limit of 1 events/s\"}]}");
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(management("/actuator/prometheus").body())
                .contains("track_ingest_events_total{application=\"gateway\",outcome=\"rate_limited\",type=\"error\"}",
                        "track_ingest_publish_seconds_bucket{application=\"gateway\",outcome=\"acknowledged\",le=\"30.0\"}");
    }

    @Test
    void admitsAProjectAddedToTheRegistryFileWithoutARestart() throws Exception {
        byte[] newcomer = fixtures.first("resource").body().replace("\"apikey\":\"demo-project\"", "\"apikey\":\"newcomer\"")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(post(newcomer, "text/plain", Map.of()).statusCode()).isEqualTo(403);

        Files.writeString(projectsFile, "  - {apikey: newcomer, readToken: newcomer-token}\n", StandardOpenOption.APPEND);

        await().atMost(Duration.ofSeconds(10)).until(() -> post(newcomer, "text/plain", Map.of()).statusCode() == 202);
    }

    @Test
    void givesTheSamePayloadPostedTwiceTheSameEventId() throws Exception {
        String session = java.util.UUID.randomUUID().toString();
        String body = fixtures.first("whiteScreen").body().replaceFirst("\"uuid\":\"[^\"]+\"", "\"uuid\":\"" + session + "\"");
        assertThat(body).contains(session);

        assertThat(post(body.getBytes(StandardCharsets.UTF_8), "text/plain", Map.of()).statusCode()).isEqualTo(202);
        assertThat(post(body.getBytes(StandardCharsets.UTF_8), "text/plain", Map.of()).statusCode()).isEqualTo(202);

        List<String> ids = KafkaTestRecords.readAll(infra.kafkaBootstrapServers(), "track.white-screen").stream()
                .filter(record -> new String(record.value(), StandardCharsets.UTF_8).equals(body))
                .map(record -> header(record, TrackHeaders.EVENT_ID)).toList();

        assertThat(ids).hasSize(2);
        assertThat(ids.get(0)).isEqualTo(ids.get(1));
    }

    /** No proxy is trusted unless configured (ClientLimitsTest trusts one): a client cannot pick the address its limits count. */
    @Test
    void ignoresXForwardedForUnlessAProxyIsTrusted() throws Exception {
        String marker = "forwarded-" + java.util.UUID.randomUUID();
        String body = fixtures.first("whiteScreen").body().replaceFirst("\"uuid\":\"[^\"]+\"", "\"uuid\":\"" + marker + "\"");

        HttpResponse<String> response = post(body.getBytes(StandardCharsets.UTF_8), "text/plain", Map.of("X-Forwarded-For", "203.0.113.77"));

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(KafkaTestRecords.readAll(infra.kafkaBootstrapServers(), "track.white-screen"))
                .filteredOn(record -> new String(record.value(), StandardCharsets.UTF_8).contains(marker)).singleElement()
                .satisfies(record -> assertThat(header(record, TrackHeaders.CLIENT_HASH)).isEqualTo(ClientLimitsTest.hash("127.0.0.1")));
    }

    /** The preflight and each event ask the project the same question, so a preflight never passes for events all refused. */
    @Test
    void acceptsEventsFromEverySubdomainOfAWildcardOriginAndRefusesALookAlikeFromThePreflightOn() throws Exception {
        Files.writeString(projectsFile, "  - {apikey: blog, readToken: blog-token, allowedOrigins: ['https://*.blog.example']}\n",
                StandardOpenOption.APPEND);
        byte[] event = fixtures.first("error").body().replace("\"apikey\":\"demo-project\"", "\"apikey\":\"blog\"")
                .getBytes(StandardCharsets.UTF_8);
        await().atMost(Duration.ofSeconds(10)).until(() -> preflight("https://news.blog.example").statusCode() == 200);

        assertThat(preflight("https://news.blog.example").headers().firstValue("Access-Control-Allow-Origin"))
                .hasValue("https://news.blog.example");
        assertThat(post(event, "application/json", Map.of("Origin", "https://news.blog.example")).statusCode()).isEqualTo(202);
        assertThat(preflight("https://blog.example.evil.test").statusCode()).isEqualTo(403);
        assertThat(post(event, "application/json", Map.of("Origin", "https://blog.example.evil.test")).statusCode()).isEqualTo(403);
    }

    private HttpResponse<String> preflight(String origin) throws Exception {
        return http.send(HttpRequest.newBuilder(uri("/reportData")).method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", origin).header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type").build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void refusesThePreflightOfAnOriginNoProjectAllows() throws Exception {
        HttpRequest preflight = HttpRequest.newBuilder(uri("/reportData"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://evil.example")
                .header("Access-Control-Request-Method", "POST")
                .build();

        HttpResponse<String> response = http.send(preflight, HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void boundsItsOpenConnectionsSoTheirStateCannotExhaustTheHeap(@Autowired WebServerApplicationContext context) {
        Connector connector = ((TomcatWebServer) context.getWebServer()).getTomcat().getConnector();

        assertThat(connector.getProperty("maxConnections")).isEqualTo(512);
    }

    /**
     * Kafka 4's admin client, its broker out of reach, rebootstraps in a loop without backoff: a
     * gateway started before Kafka logged 100,000 lines in 40 s. Without rebootstrap it retries
     * the bootstrap address with backoff.
     */
    @Test
    void itsKafkaAdminRetriesTheBootstrapAddressInsteadOfRebootstrappingInALoop(
            @Autowired org.springframework.kafka.core.KafkaAdmin admin) {
        assertThat(admin.getConfigurationProperties()).containsEntry("metadata.recovery.strategy", "none");
    }

    @Test
    void exposesOnlyHealthAndPrometheusAndOnlyOnTheManagementPort() throws Exception {
        assertThat(management("/actuator/health").statusCode()).isEqualTo(200);
        assertThat(management("/actuator/prometheus").body()).contains("track_ingest_events_total");
        assertThat(management("/actuator/env").statusCode()).isEqualTo(404);
        assertThat(management("/actuator/beans").statusCode()).isEqualTo(404);
        // The public port serves ingestion only: no metrics, no health, no API description for anyone who asks.
        assertThat(managementPort).isNotEqualTo(port);
        assertThat(get("/actuator/prometheus").statusCode()).isEqualTo(404);
        assertThat(get("/actuator/health").statusCode()).isEqualTo(404);
        assertThat(get("/v3/api-docs").statusCode()).isEqualTo(404);
        assertThat(management("/v3/api-docs").statusCode()).isEqualTo(404);
    }

    @Test
    void neverLogsARequestBodyAndShowsNoInternalsInAnErrorAnswer(CapturedOutput output) throws Exception {
        String marker = "private-" + java.util.UUID.randomUUID();
        String error = fixtures.first("error").body();

        assertThat(post(("{\"type\":\"error\",\"message\":\"" + marker).getBytes(StandardCharsets.UTF_8), "application/json", Map.of())
                .statusCode()).isEqualTo(400);
        assertThat(post(error.replace("\"line\":4", "\"line\":\"" + marker + "\"").getBytes(StandardCharsets.UTF_8), "application/json",
                Map.of()).statusCode()).isEqualTo(400);
        assertThat(post(error.replace("\"apikey\":\"demo-project\"", "\"apikey\":\"" + marker + "\"").getBytes(StandardCharsets.UTF_8),
                "text/plain", Map.of()).statusCode()).isEqualTo(403);
        assertThat(post(marker.getBytes(StandardCharsets.UTF_8), "application/xml", Map.of()).statusCode()).isEqualTo(415);
        HttpResponse<String> notFound = get("/nowhere");
        HttpResponse<String> wrongMethod = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/reportData"))
                .PUT(HttpRequest.BodyPublishers.ofString(marker)).build(), HttpResponse.BodyHandlers.ofString());
        // A line the log surely gets, so the capture is known to see the service's log.
        Files.writeString(projectsFile, "  - {apikey: log-check, readToken: log-check-token}\n", StandardOpenOption.APPEND);
        await().atMost(Duration.ofSeconds(10)).until(() -> output.getAll().contains("reloaded"));

        assertThat(output.getAll()).doesNotContain(marker);
        assertThat(notFound.statusCode()).isEqualTo(404);
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        for (HttpResponse<String> answer : List.of(notFound, wrongMethod)) {
            assertThat(answer.body()).doesNotContain("trace", "exception", "dev.trackpipeline", "springframework", marker);
        }
    }

    @Test
    void servesTheBenchmarksNoOpRouteOnlyWhenTheBenchmarkTurnsItOn() throws Exception {
        HttpResponse<String> noop = http.send(HttpRequest.newBuilder(uri("/bench/noop"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(noop.statusCode()).isEqualTo(404);
    }

    private HttpResponse<String> post(byte[] body, String contentType, Map<String, String> headers) throws Exception {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri("/reportData"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", contentType);
        headers.forEach(builder::header);
        return http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> management(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private static byte[] gzip(byte[] data) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(data);
        }
        return out.toByteArray();
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
