package dev.trackpipeline.aggregator;

import dev.trackpipeline.infra.testing.KafkaTestRecords;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trackpipeline.infra.EmbeddedInfrastructure;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import redis.clients.jedis.JedisPooled;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class MetricsIntegrationTest {

    static final EmbeddedInfrastructure infra = EmbeddedInfrastructure.startForTests();
    static final WebSeeFixtures fixtures = WebSeeFixtures.load();
    static final List<String> EVENT_TOPICS = List.of("track.error", "track.resource", "track.http", "track.performance",
            "track.white-screen", "track.record-screen", "track.custom");

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", infra::kafkaBootstrapServers);
        registry.add("track.aggregator.redis.host", () -> infra.redis().host());
        registry.add("track.aggregator.redis.port", () -> infra.redis().port());
        registry.add("track.projects-file", () -> FixtureRecords.testProjectsFile().toString());
    }

    @AfterAll
    static void stopInfrastructure() {
        infra.close();
    }

    @Autowired
    JedisPooled redis;

    @Autowired
    KafkaListenerEndpointRegistry listeners;

    @Value("${local.server.port}")
    int port;

    private final HttpClient http = HttpClient.newHttpClient();
    private final JsonMapper json = JsonMapper.builder().build();

    @BeforeEach
    void consumeEverythingThenStartFromEmptyCounters() throws Exception {
        awaitNothingLeftToConsume();
        redis.flushDB();
    }

    @Test
    void countsEveryEventTheRealSdkSentExactlyOnceEvenWhenTheClientSendsItAgain() throws Exception {
        List<FixtureRecord> records = fixtures.posts().stream().map(request -> FixtureRecords.of(request, Instant.now())).toList();

        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), records);
        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), records);
        awaitNothingLeftToConsume();

        JsonNode overview = overview("1h");
        assertThat(overview.get("events").longValue()).isEqualTo(89);
        assertThat(json.convertValue(overview.get("byType"), Map.class)).isEqualTo(Map.of(
                "performance", 48, "whiteScreen", 14, "error", 6, "unhandledrejection", 2, "resource", 5,
                "xhr", 6, "fetch", 3, "recordScreen", 5));
        assertThat(overview.get("errors").longValue()).isEqualTo(22);
        assertThat(overview.get("errorRate").doubleValue()).isEqualTo(22.0 / 89);
        assertThat(overview.get("sessions").longValue()).isEqualTo(6);
        assertThat(overview.get("whiteScreenChecks").longValue()).isEqualTo(14);
        assertThat(overview.get("whiteScreens").longValue()).isEqualTo(9);
    }

    @Test
    void replayingThePartitionsFromTheStartCountsNothingTwice() throws Exception {
        List<FixtureRecord> records = fixtures.posts().stream().map(request -> FixtureRecords.of(request, Instant.now())).toList();
        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), records);
        awaitNothingLeftToConsume();
        JsonNode before = overview("1h");
        redis.del(redis.keys("track:{demo-project}:seen:*").toArray(String[]::new));

        rewindAggregatorToTheBeginning();
        awaitNothingLeftToConsume();

        assertThat(overview("1h")).isEqualTo(before);
        assertThat(before.get("events").longValue()).isEqualTo(89);
    }

    @Test
    void bucketsByTheGatewaysReceivedAtNotTheBrowserClock() throws Exception {
        FixtureRecord twoHoursAgo = FixtureRecords.of(fixtures.first("error"), Instant.now().minus(Duration.ofHours(2)));

        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), List.of(twoHoursAgo));
        awaitNothingLeftToConsume();

        assertThat(overview("1h").get("events").longValue()).isZero();
        assertThat(overview("3h").get("events").longValue()).isEqualTo(1);
        assertThat(overview("3d").get("events").longValue()).isEqualTo(1);
    }

    @Test
    void deadLettersAnInvalidRecordAndCountsItsNeighbours() throws Exception {
        FixtureRecord valid = FixtureRecords.of(fixtures.first("resource"), Instant.now());
        Map<String, String> headers = new HashMap<>(valid.headers());
        headers.put(TrackHeaders.RECEIVED_AT, "soon");
        FixtureRecord invalid = new FixtureRecord("x", "resource", valid.topic(), valid.key(), valid.value(), headers);

        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), List.of(invalid, valid));
        awaitNothingLeftToConsume();

        assertThat(overview("1h").get("events").longValue()).isEqualTo(1);
        assertThat(KafkaTestRecords.readAtLeast(infra.kafkaBootstrapServers(), 1, "track.dead-letter")).anySatisfy(record ->
                assertThat(new String(record.headers().lastHeader(TrackHeaders.DEAD_LETTER_REASON).value(), StandardCharsets.UTF_8))
                        .isEqualTo("header track-received-at: expected epoch milliseconds, got \"soon\""));
    }

    @Test
    void refusesReadsWithoutTheProjectsTokenAndUnknownWindows() throws Exception {
        assertThat(get("/api/metrics/overview?apikey=demo-project", null).statusCode()).isEqualTo(401);
        assertThat(get("/api/metrics/overview?apikey=demo-project", "shop-read-token").statusCode()).isEqualTo(403);
        HttpResponse<String> badWindow = get("/api/metrics/overview?apikey=demo-project&window=forever", "demo-read-token");
        assertThat(badWindow.statusCode()).isEqualTo(400);
        assertThat(badWindow.body()).isEqualTo("{\"code\":400,\"message\":\"window: expected a duration such as 15m, 1h, 24h or 7d, "
                + "at most 30d, got \\\"forever\\\"\"}");
        assertThat(get("/api/metrics/overview?apikey=demo-project&window=31d", "demo-read-token").statusCode()).isEqualTo(400);
    }

    @Test
    void reportsHealthyWhenRedisAnswersPing() throws Exception {
        assertThat(get("/actuator/health", null).body()).contains("\"status\":\"UP\"");
    }

    private void rewindAggregatorToTheBeginning() throws Exception {
        var container = listeners.getListenerContainer("track-aggregator");
        container.stop();
        try (Admin admin = admin()) {
            Map<TopicPartition, OffsetAndMetadata> committed = committed(admin);
            Map<TopicPartition, OffsetAndMetadata> zero = new HashMap<>();
            committed.keySet().forEach(partition -> zero.put(partition, new OffsetAndMetadata(0)));
            admin.alterConsumerGroupOffsets("track-aggregator", zero).all().get(30, TimeUnit.SECONDS);
        }
        container.start();
    }

    /** Waits until the aggregator's committed offset reaches the end of every partition of the event topics. */
    private void awaitNothingLeftToConsume() {
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            try (Admin admin = admin()) {
                Map<TopicPartition, OffsetAndMetadata> committed = committed(admin);
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                admin.describeTopics(EVENT_TOPICS).allTopicNames().get(10, TimeUnit.SECONDS).forEach((topic, description) ->
                        description.partitions().forEach(partition ->
                                latest.put(new TopicPartition(topic, partition.partition()), OffsetSpec.latest())));
                Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
                return ends.entrySet().stream().allMatch(end -> end.getValue().offset() == 0
                        || (committed.containsKey(end.getKey()) && committed.get(end.getKey()).offset() >= end.getValue().offset()));
            }
        });
    }

    private static Map<TopicPartition, OffsetAndMetadata> committed(Admin admin) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>(admin.listConsumerGroupOffsets("track-aggregator")
                .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS));
        offsets.values().removeIf(java.util.Objects::isNull);
        offsets.keySet().removeIf(partition -> !partition.topic().startsWith("track.") || partition.topic().equals("track.dead-letter"));
        return offsets;
    }

    private static Admin admin() {
        return Admin.create(Map.of("bootstrap.servers", infra.kafkaBootstrapServers()));
    }

    private JsonNode overview(String window) throws Exception {
        HttpResponse<String> response = get("/api/metrics/overview?apikey=demo-project&window=" + window, "demo-read-token");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = json.readTree(response.body());
        assertThat(body.get("code").intValue()).isZero();
        return body.get("data");
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
