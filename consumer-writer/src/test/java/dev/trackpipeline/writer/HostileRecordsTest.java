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
import dev.trackpipeline.model.fixtures.WebSeeFixtures.CapturedRequest;
import dev.trackpipeline.model.kafka.TrackHeaders;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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

/**
 * Events the gateway accepts from anyone (the apikey is public): each is stored, and none can stop
 * the writer from storing the events after it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "track.writer.group-id=hostile-writer")
class HostileRecordsTest {

    static final EmbeddedInfrastructure infra = EmbeddedInfrastructure.startForTests();
    static final WebSeeFixtures fixtures = WebSeeFixtures.load();
    static final Instant RECEIVED_AT = Instant.parse("2026-11-30T06:00:00Z");

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", infra::kafkaBootstrapServers);
        registry.add("spring.mongodb.uri", infra::mongoUri);
        registry.add("track.projects-file", () -> FixtureRecords.testProjectsFile().toString());
        registry.add("track.consumer.refused-backoff", () -> "100ms");
        // Raised as an operator may raise it, so that an event can be larger than MongoDB stores once encoded.
        registry.add("track.limits.max-event-bytes", () -> "4194304");
    }

    @AfterAll
    static void stopInfrastructure() {
        infra.close();
    }

    @Autowired
    MongoDatabase database;

    @Value("${local.server.port}")
    int port;

    final JsonMapper json = JsonMapper.builder().build();

    /** Today's main halted here for good: Decimal128 holds 34 digits, and the failure was taken for an outage. */
    @Test
    void storesAnIntegerTooLongForDecimal128AsJavaScriptReadsItAndKeepsStoringAfterIt() throws Exception {
        FixtureRecord huge = custom(",\"n\":1111111111111111111111111111111111111,\"small\":12345678901234567890123456789012");
        List<FixtureRecord> records = new ArrayList<>(List.of(huge));
        fixtures.ofType("error").forEach(request -> records.add(FixtureRecords.of(request, RECEIVED_AT)));

        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), records);

        await().atMost(Duration.ofSeconds(30)).until(() -> stored("error", records.subList(1, records.size())) == 6);
        Document document = database.getCollection("custom").find(Filters.eq("_id", huge.eventId())).first();
        assertThat(document.get("n")).isEqualTo(new java.math.BigInteger("1111111111111111111111111111111111111").doubleValue());
        assertThat(document.get("small")).hasToString("12345678901234567890123456789012");
        assertThat(deadLettersFor(huge.eventId())).isEmpty();
    }

    /** A string time sorted above every number, matched no window, and made /api/errors/stats answer 500. */
    @Test
    void storesNumbersSentAsStringsAsNumbers() throws Exception {
        String session = UUID.randomUUID().toString();
        FixtureRecord error = FixtureRecords.of(new CapturedRequest("POST", "/reportData", "text/plain", null,
                "{\"type\":\"error\",\"apikey\":\"shop\",\"uuid\":\"" + session + "\",\"time\":\" 1795642106952\",\"status\":\"error\","
                        + "\"message\":\"Uncaught Error: strings\",\"fileName\":\"http://shop.example/app.js\",\"line\":\"4\","
                        + "\"column\":\"38.0\",\"breadcrumb\":[{\"type\":\"Click\",\"time\":\"1795642106000\"}]}"), RECEIVED_AT);

        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), List.of(error));

        await().atMost(Duration.ofSeconds(30)).until(() -> stored("error", List.of(error)) == 1);
        Document document = database.getCollection("error").find(Filters.eq("_id", error.eventId())).first();
        assertThat(document.get("time")).isEqualTo(1795642106952L);
        assertThat(document.get("line")).isEqualTo(4);
        assertThat(document.get("column")).isEqualTo(38.0);
        assertThat(document.getList("breadcrumb", Document.class).get(0).get("time")).isEqualTo(1795642106000L);
        JsonNode stats = read("/api/errors/stats?apikey=shop&startTime=1795642106000&endTime=1795642107000");
        assertThat(stats.get("data").get("total").longValue()).isEqualTo(1);
        assertThat(stats.get("data").get("groups").get(0).get("lastSeen").longValue()).isEqualTo(1795642106952L);
    }

    /** Only under raised limits (or a record written to a topic past the gateway) can an event be this large. */
    @Test
    void deadLettersAnEventWhoseDocumentIsLargerThanMongoStoresAndStoresItsNeighbours() throws Exception {
        FixtureRecord before = custom("");
        FixtureRecord after = custom("");
        StringBuilder zeros = new StringBuilder(",\"zeros\":[0");
        // Two bytes of JSON become twelve of BSON (type, the index as a name, an int32): 3.6 MB make 21 MB.
        zeros.append(",0".repeat(1_800_000)).append(']');
        FixtureRecord tooLarge = writtenPastTheGateway(
                "{\"type\":\"custom\",\"apikey\":\"demo-project\",\"time\":1795642100000,\"uuid\":\"s\"" + zeros + "}");

        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), List.of(before, tooLarge, after));

        await().atMost(Duration.ofSeconds(60)).until(() -> stored("custom", List.of(before, after)) == 2);
        var letters = await().atMost(Duration.ofSeconds(30)).until(() -> deadLettersFor(tooLarge.eventId()), found -> found.size() == 1);
        assertThat(header(letters.get(0), TrackHeaders.DEAD_LETTER_OUTCOME)).isEqualTo("unstorable");
        assertThat(header(letters.get(0), TrackHeaders.DEAD_LETTER_REASON))
                .matches("its document of \\d+ bytes is larger than MongoDB stores \\(16777216 bytes\\)");
        assertThat(header(letters.get(0), TrackHeaders.DEAD_LETTER_GROUP)).isEqualTo("hostile-writer");
        assertThat(letters.get(0).value()).isEqualTo(tooLarge.value());
        assertThat(stored("custom", List.of(tooLarge))).isZero();
    }

    private long stored(String collection, List<FixtureRecord> records) {
        return database.getCollection(collection).countDocuments(Filters.in("_id", records.stream().map(FixtureRecord::eventId).toList()));
    }

    private static List<org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]>> deadLettersFor(String eventId) {
        return KafkaTestRecords.readAll(infra.kafkaBootstrapServers(), "track.dead-letter").stream()
                .filter(record -> record.headers().lastHeader(TrackHeaders.EVENT_ID) != null
                        && eventId.equals(header(record, TrackHeaders.EVENT_ID))).toList();
    }

    private static FixtureRecord custom(String extraFields) {
        return FixtureRecords.of(new CapturedRequest("POST", "/reportData", "application/json", null,
                "{\"type\":\"custom\",\"apikey\":\"demo-project\",\"time\":1795642100000,\"uuid\":\"" + UUID.randomUUID() + "\""
                        + extraFields + "}"), RECEIVED_AT);
    }

    /** A record as the gateway would write it, but larger than the gateway accepts. */
    private static FixtureRecord writtenPastTheGateway(String json) {
        String eventId = UUID.randomUUID().toString();
        Map<String, String> headers = new HashMap<>();
        headers.put(TrackHeaders.EVENT_ID, eventId);
        headers.put(TrackHeaders.RECEIVED_AT, String.valueOf(RECEIVED_AT.toEpochMilli()));
        headers.put(TrackHeaders.APIKEY, "demo-project");
        headers.put(TrackHeaders.TYPE, "custom");
        headers.put(TrackHeaders.SCHEMA_VERSION, TrackHeaders.CURRENT_SCHEMA_VERSION);
        return new FixtureRecord(eventId, "custom", "track.custom", "demo-project/s", json.getBytes(StandardCharsets.UTF_8), headers);
    }

    private JsonNode read(String path) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer shop-read-token").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }

    private static String header(org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
