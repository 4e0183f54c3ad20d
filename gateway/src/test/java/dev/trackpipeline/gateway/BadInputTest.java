package dev.trackpipeline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.infra.EmbeddedInfrastructure;
import dev.trackpipeline.infra.testing.KafkaTestRecords;
import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.model.event.EventValidator;
import dev.trackpipeline.model.fixtures.FixtureRecords;
import dev.trackpipeline.model.fixtures.WebSeeFixtures;
import dev.trackpipeline.model.fixtures.WebSeeFixtures.CapturedRequest;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Hostile and broken input, generated from the real SDK's requests with a fixed seed so a failure
 * reproduces: every answer is a 4xx with a reason or a 202, never a 5xx, and nothing invalid
 * reaches Kafka.
 */
// 1,200 requests, many of megabytes, from one address as fast as it can: its bounds per client are raised
// out of the way, each tested on its own. Left at 100 requests/s (burst 300), a run faster than 9.3 s (one
// took 9.4) got 429s, answered before the body is read and the connection closed (RequestsPerClient): one
// reached the client as a reset while it was still sending a body of megabytes, with no answer to check.
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "track.gateway.client-bytes.per-second=900MB", "track.gateway.client-bytes.burst=1TB",
        "track.gateway.client-requests.per-second=1000000", "track.gateway.client-requests.burst=1000000"})
class BadInputTest {

    static final long SEED = 20261125L;
    static final int CASES = 1200;
    static final EmbeddedInfrastructure infra = EmbeddedInfrastructure.startForTests();

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", infra::kafkaBootstrapServers);
        registry.add("track.projects-file", () -> FixtureRecords.testProjectsFile().toString());
    }

    @AfterAll
    static void stopInfrastructure() {
        infra.close();
    }

    @Value("${local.server.port}")
    int port;

    private final JsonMapper json = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<CapturedRequest> posts = WebSeeFixtures.load().posts();

    /** A generated request: what was done to it, its body, content type and encoding. */
    private record Case(String mutation, byte[] body, String contentType, String encoding) {
    }

    @Test
    void answersEveryMutatedRequestWithAReasonedRefusalOrAnAcceptanceAndNeverA5xx() throws Exception {
        Random random = new Random(SEED);
        Map<String, Map<Integer, Integer>> statusesByMutation = new TreeMap<>();
        long started = System.nanoTime();
        for (int i = 0; i < CASES; i++) {
            Case generated = generate(random);
            HttpResponse<String> response;
            try {
                response = post(generated);
            } catch (java.io.IOException e) {
                throw new AssertionError("case %d (%s, %d bytes): no answer".formatted(i, generated.mutation(), generated.body().length), e);
            }
            int status = response.statusCode();
            statusesByMutation.computeIfAbsent(generated.mutation(), key -> new TreeMap<>()).merge(status, 1, Integer::sum);

            assertThat(status).as("case %d (%s): %s", i, generated.mutation(), response.body()).isIn(202, 400, 403, 413, 415);
            JsonNode answer = json.readTree(response.body());
            if (status == 202) {
                assertThat(answer.get("accepted").intValue()).isPositive();
            } else {
                assertThat(answer.get("accepted").intValue()).isZero();
                assertThat(answer.get("rejected")).isNotEmpty().allSatisfy(rejection -> {
                    assertThat(rejection.get("outcome").stringValue()).isNotBlank();
                    assertThat(rejection.get("reason").stringValue()).isNotBlank().doesNotContain("Exception", "\tat ");
                });
            }
        }
        System.out.printf("bad input, seed %d, %d cases in %.1f s, statuses by mutation: %s%n", SEED, CASES,
                (System.nanoTime() - started) / 1e9, statusesByMutation);

        EventValidator validator = new EventValidator(new EventFamilies());
        var published = KafkaTestRecords.readAll(infra.kafkaBootstrapServers(), "track.error", "track.resource", "track.http",
                "track.performance", "track.white-screen", "track.record-screen", "track.custom");
        assertThat(published).isNotEmpty().allSatisfy(record ->
                assertThat(validator.validate(json.readTree(record.value()))).isInstanceOf(EventValidator.Verdict.Valid.class));
        assertThat(statusesByMutation.values().stream().flatMap(statuses -> statuses.keySet().stream())).doesNotContain(500, 503);
    }

    private Case generate(Random random) throws Exception {
        CapturedRequest base = posts.get(random.nextInt(posts.size()));
        String contentType = base.contentType();
        int kind = random.nextInt(14);
        return switch (kind) {
            case 0 -> json("remove a field", mutateObject(base, random, (event) -> removeRandomField(event, random)), contentType);
            case 1 -> json("wrong type", mutateObject(base, random, (event) -> wrongType(event, random)), contentType);
            case 2 -> json("hostile key", mutateObject(base, random, (event) -> hostileKey(event, random)), contentType);
            case 3 -> json("huge string", mutateObject(base, random, (event) ->
                    event.put(randomField(event, random), "x".repeat(100_000 + random.nextInt(1_500_000)))), contentType);
            case 4 -> json("huge array", mutateObject(base, random, (event) -> {
                ArrayNode array = event.putArray("breadcrumb");
                for (int i = 0, n = 1_000 + random.nextInt(20_000); i < n; i++) array.add(i);
            }), contentType);
            case 5 -> new Case("deep nesting", deep(base, 50 + random.nextInt(20_000)), contentType, null);
            case 6 -> new Case("truncated", truncate(base.bodyBytes(), random), contentType, null);
            case 7 -> new Case("invalid UTF-8", invalidUtf8(base.bodyBytes(), random), contentType, null);
            case 8 -> new Case("wrong content type", base.bodyBytes(),
                    List.of("application/xml", "multipart/form-data", "image/png", "", "text/plain;charset=ISO-8859-1", "*/*")
                            .get(random.nextInt(6)), null);
            case 9 -> new Case("bogus gzip", random.nextBoolean() ? base.bodyBytes() : gzipBomb(), "application/json", "gzip");
            case 10 -> json("number out of range", mutateRaw(base, random, List.of("1e400", "-1e400",
                    "9".repeat(400), "-0", "1.7976931348623157e309")), contentType);
            case 11 -> json("malformed token", mutateRaw(base, random, List.of("NaN", "Infinity", "'single'", "undefined",
                    "[1,]", "{\"a\":1,}", "0x10")), contentType);
            case 12 -> new Case("empty or blank", random.nextBoolean() ? new byte[0] : "  \n ".getBytes(), contentType, null);
            default -> json("mixed batch", ("[" + base.body() + "," + "{\"type\":\"" + random.nextInt() + "\"}" + ","
                    + posts.get(random.nextInt(posts.size())).body() + ",null,7]").getBytes(StandardCharsets.UTF_8), "application/json");
        };
    }

    private static Case json(String mutation, byte[] body, String contentType) {
        return new Case(mutation, body, contentType, null);
    }

    private byte[] mutateObject(CapturedRequest base, Random random, java.util.function.Consumer<ObjectNode> change) {
        ObjectNode event = (ObjectNode) json.readTree(base.body());
        change.accept(event);
        return json.writeValueAsBytes(event);
    }

    /** Replaces one field's value with a raw token the JSON writer could not produce. */
    private byte[] mutateRaw(CapturedRequest base, Random random, List<String> tokens) {
        ObjectNode event = (ObjectNode) json.readTree(base.body());
        String field = randomField(event, random);
        event.put(field, "__RAW__");
        String token = tokens.get(random.nextInt(tokens.size()));
        return json.writeValueAsString(event).replace("\"__RAW__\"", token).getBytes(StandardCharsets.UTF_8);
    }

    private static String randomField(ObjectNode event, Random random) {
        List<String> names = new ArrayList<>(event.propertyNames());
        return names.get(random.nextInt(names.size()));
    }

    private static void removeRandomField(ObjectNode event, Random random) {
        event.remove(randomField(event, random));
    }

    private void wrongType(ObjectNode event, Random random) {
        String field = randomField(event, random);
        List<Function<ObjectNode, ObjectNode>> replacements = List.of(
                node -> node.put(field, 42), node -> node.put(field, "forty-two"), node -> node.put(field, true),
                node -> node.putNull(field), node -> { node.putArray(field).add(1); return node; },
                node -> { node.putObject(field).put("nested", 1); return node; }, node -> node.put(field, -1.5e300));
        replacements.get(random.nextInt(replacements.size())).apply(event);
    }

    private void hostileKey(ObjectNode event, Random random) {
        List<String> keys = List.of("$where", "a.b", "__proto__", "constructor", "$set", "..", "", "\u0000", "%24x");
        ObjectNode target = random.nextBoolean() ? event : event.putObject("extra");
        target.put(keys.get(random.nextInt(keys.size())), "value");
        target.putObject("__proto__").put("polluted", true);
    }

    private static byte[] deep(CapturedRequest base, int depth) {
        String body = base.body();
        String nested = "[".repeat(depth) + "]".repeat(depth);
        return (body.substring(0, body.length() - 1) + ",\"deep\":" + nested + "}").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] truncate(byte[] body, Random random) {
        return java.util.Arrays.copyOf(body, random.nextInt(Math.max(1, body.length - 1)));
    }

    private static byte[] invalidUtf8(byte[] body, Random random) {
        byte[] broken = body.clone();
        int at = 1 + random.nextInt(broken.length - 2);
        broken[at] = (byte) (0x80 | random.nextInt(0x40)); // a continuation byte with no lead byte
        return broken;
    }

    private static byte[] gzipBomb() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 16; i++) gzip.write(zeros);
        }
        return out.toByteArray();
    }

    private HttpResponse<String> post(Case generated) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/reportData"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(generated.body()));
        if (!generated.contentType().isEmpty()) {
            request.header("Content-Type", generated.contentType());
        }
        if (generated.encoding() != null) {
            request.header("Content-Encoding", generated.encoding());
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
