package dev.trackpipeline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.infra.EmbeddedInfrastructure;
import dev.trackpipeline.model.fixtures.WebSeeFixtures;
import dev.trackpipeline.model.fixtures.WebSeeFixtures.CapturedRequest;
import dev.trackpipeline.model.metrics.TrackMeters;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The apikey is public, so anyone can send the gateway the costliest bodies its limits allow, many
 * at once. Every such request must get a true answer (refused, overloaded, or accepted when it is
 * valid), never a 500, and the gateway must stay within a bounded heap and serve normally after.
 *
 * <p>Runs in a JVM of its own with the services' production heap ({@code -Xmx256m}, serial
 * collector; see this module's pom), which it shares with its Kafka broker: when the gateway's
 * memory is not bounded, the storm ends in OutOfMemoryError and 500s.
 */
// The storm stands for many clients, but all of them post from 127.0.0.1: the per-address bounds on body
// reads and on bytes read would refuse most of its bodies unread, and the heap would never see them.
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {"track.gateway.max-body-reads-per-client=200",
        "track.gateway.client-bytes.per-second=900MB", "track.gateway.client-bytes.burst=1TB"})
@Tag("production-heap")
class WorstCaseBodiesStormTest {

    static final int CONCURRENT = 32;
    /** Browsers posting one captured event each beside every round of the storm. */
    static final int BROWSERS = 8;
    static final int ROUNDS = 4;
    static final int MIB = 1024 * 1024;
    /** Heap a full collection may find live during the storm beyond what was live before it; see the test. */
    static final long STORM_LIVE_BOUND = 160L * MIB;

    static final EmbeddedInfrastructure infra = EmbeddedInfrastructure.startForTests();

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", infra::kafkaBootstrapServers);
        registry.add("track.projects-file", WorstCaseBodiesStormTest::unlimitedProjectsFile);
    }

    @AfterAll
    static void stopInfrastructure() {
        infra.close();
    }

    @Value("${local.server.port}")
    int port;

    @Autowired
    MeterRegistry meters;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<CapturedRequest> posts = WebSeeFixtures.load().posts();

    /** A hostile body and the answers it may truly get: 503 whenever the gateway is too busy for it. */
    private record Body(String name, byte[] bytes, String encoding, Set<Integer> answers) {
    }

    @Test
    void answersConcurrentWorstCaseBodiesTrulyWithinABoundedHeapAndServesNormallyAfter() throws Exception {
        List<Body> bodies = worstCaseBodies();
        long liveBefore = HeapWatch.liveBytesNow();
        Map<String, Map<Integer, Integer>> answersByBody = new TreeMap<>();

        Map<Integer, Integer> browserAnswers = new TreeMap<>();
        List<Body> browserBodies = posts.stream().filter(post -> post.bodyBytes().length < 8_000)
                .map(post -> new Body("a browser's post", post.bodyBytes(), null, Set.of(202))).toList();

        ExecutorService clients = Executors.newFixedThreadPool(CONCURRENT + BROWSERS);
        try (HeapWatch heap = HeapWatch.start()) {
            for (int round = 0; round < ROUNDS; round++) {
                List<Future<HttpResponse<String>>> answers = new ArrayList<>();
                List<Body> sent = new ArrayList<>();
                for (int i = 0; i < CONCURRENT; i++) {
                    Body body = bodies.get((round * CONCURRENT + i) % bodies.size());
                    sent.add(body);
                    answers.add(clients.submit(() -> post(body)));
                }
                List<Future<HttpResponse<String>>> browsers = new ArrayList<>();
                for (int i = 0; i < BROWSERS; i++) {
                    Body body = browserBodies.get((round * BROWSERS + i) % browserBodies.size());
                    browsers.add(clients.submit(() -> post(body)));
                }
                for (int i = 0; i < CONCURRENT; i++) {
                    Body body = sent.get(i);
                    HttpResponse<String> answer = answers.get(i).get();
                    answersByBody.computeIfAbsent(body.name(), name -> new TreeMap<>()).merge(answer.statusCode(), 1, Integer::sum);
                    assertThat(answer.statusCode()).as("%s: %s", body.name(), answer.body()).isIn(body.answers());
                    if (answer.statusCode() == 503) {
                        assertThat(answer.headers().firstValue("Retry-After")).as(body.name()).isPresent();
                    }
                }
                for (Future<HttpResponse<String>> browser : browsers) {
                    HttpResponse<String> answer = browser.get();
                    browserAnswers.merge(answer.statusCode(), 1, Integer::sum);
                    // The storm's valid bodies may fill what waits for Kafka (a 503 of its own);
                    // the parsing memory's reserve must never refuse a browser's few kilobytes.
                    assertThat(answer.body()).as("a browser's post during the storm").doesNotContain("reading and parsing");
                    assertThat(answer.statusCode()).as(answer.body()).isIn(202, 503);
                }
            }
            System.out.printf("worst-case storm: %d rounds of %d concurrent requests; live before %d MB, most live after a full"
                            + " collection during it %d MB (%d full of %d collections), most after any collection %d MB,"
                            + " heap max %d MB; answers by body: %s; browsers' answers: %s%n", ROUNDS, CONCURRENT, liveBefore / MIB,
                    heap.mostAfterFullCollection() / MIB, heap.fullCollections(), heap.collections(),
                    heap.mostAfterAnyCollection() / MIB, HeapWatch.maxHeapBytes() / MIB, answersByBody, browserAnswers);

            // What the gateway may hold beyond its idle self: bodies being parsed (64 MB), accepted
            // events waiting for Kafka (32 MB), the producer's buffer (32 MB), and what the broker
            // sharing this JVM holds of the requests it is handling.
            assertThat(heap.mostAfterFullCollection() - liveBefore).isLessThan(STORM_LIVE_BOUND);
        } finally {
            clients.shutdownNow();
        }
        assertThat(meters.get(TrackMeters.INGEST_PARSING_BYTES).gauge().value()).as("bytes still held after the storm").isZero();

        CapturedRequest normal = posts.get(0);
        HttpResponse<String> after = post(new Body("a captured event", normal.bodyBytes(), null, Set.of(202)));
        assertThat(after.statusCode()).as(after.body()).isEqualTo(202);
    }

    private List<Body> worstCaseBodies() {
        Set<Integer> valid = Set.of(202, 503);
        Set<Integer> invalid = Set.of(400, 503);
        Set<Integer> tooLarge = Set.of(413, 503);
        List<Body> bodies = new ArrayList<>();
        // gzip bombs within the decompressed limit (8 MiB): a few KB on the wire each
        bodies.add(new Body("gzip: one event of 8 MiB of {}", gzip(event("bomb", repeated("{}", 8 * MIB - 400))), "gzip", invalid));
        bodies.add(new Body("gzip: 8 MiB array of {}", gzip(repeated("{}", 8 * MIB - 10)), "gzip", tooLarge));
        bodies.add(new Body("gzip: past the decompressed limit", gzip(repeated("{}", 16 * MIB)), "gzip", tooLarge));
        // the largest bodies on the wire, of events each just within the per-event limits
        bodies.add(new Body("4 MiB of events of 99,000 {}", array(events("tokens", repeated("{}", 99_000 * 3), 4 * MIB)), null, valid));
        bodies.add(new Body("4 MiB of events nested 64 deep", array(events("nested", nested(61, 190_000), 4 * MIB)), null, valid));
        bodies.add(new Body("4 MiB of events of 1 MiB of zeros", array(events("zeros", repeated("0", MIB - 400), 4 * MIB)), null, invalid));
        bodies.add(new Body("one event of 1 MiB of {}", utf8(event("dense", repeated("{}", MIB - 400))), null, invalid));
        bodies.add(new Body("one event with a 1 MiB string", utf8(event("string", "[\"" + "x".repeat(MIB - 420) + "\"]")), null, valid));
        bodies.add(new Body("one event with a 4 MiB string", utf8(event("string", "[\"" + "x".repeat(4 * MIB - 420) + "\"]")), null, invalid));
        // every element of the breadcrumb a violation: the reasons are what could grow here (review of issue 18)
        String manyViolations = "{\"type\":\"custom\",\"apikey\":\"x\",\"uuid\":\"u\",\"time\":1795642106952,\"breadcrumb\":"
                + repeated("1", 190_000) + "}";
        bodies.add(new Body("gzip: 8 MiB of events each wrong 90,000 times", gzip(array(events(manyViolations, 8 * MIB - 400))),
                "gzip", invalid));
        bodies.add(new Body("nesting past the limit", utf8(event("deep", "[".repeat(10_000) + "]".repeat(10_000))), null, invalid));
        bodies.add(new Body("500 captured events", array(captured(500)), null, valid));
        bodies.add(new Body("gzip: 500 captured events", gzip(array(captured(500))), "gzip", valid));
        bodies.add(new Body("501 captured events", array(captured(501)), null, tooLarge));
        return bodies;
    }

    /** A valid custom event whose field {@code x} holds {@code value}. */
    private static String event(String uuid, String value) {
        return "{\"type\":\"custom\",\"status\":\"ok\",\"message\":\"storm\",\"time\":1795642106952,\"apikey\":\"demo-project\","
                + "\"uuid\":\"" + uuid + "\",\"pageUrl\":\"http://127.0.0.1:8080/\",\"sdkVersion\":\"4.0.2\",\"breadcrumb\":[],\"x\":" + value + "}";
    }

    /** As many such events as fit in {@code bytes}, in an array. */
    private static List<String> events(String uuid, String value, int bytes) {
        return events(event(uuid, value), bytes);
    }

    /** As many copies of {@code one} as fit in {@code bytes}, in an array. */
    private static List<String> events(String one, int bytes) {
        List<String> events = new ArrayList<>();
        for (int total = 2; total + one.length() + 1 <= bytes; total += one.length() + 1) {
            events.add(one);
        }
        return events;
    }

    /** A JSON array of {@code item} repeated to about {@code bytes}. */
    private static String repeated(String item, int bytes) {
        int count = Math.max(1, (bytes - 2) / (item.length() + 1));
        StringBuilder json = new StringBuilder(bytes).append('[').append(item);
        for (int i = 1; i < count; i++) {
            json.append(',').append(item);
        }
        return json.append(']').toString();
    }

    /** An array of arrays nested {@code depth} deep, repeated to about {@code bytes}. */
    private static String nested(int depth, int bytes) {
        return repeated("[".repeat(depth) + "]".repeat(depth), bytes);
    }

    private List<String> captured(int count) {
        List<String> small = posts.stream().map(CapturedRequest::body).filter(body -> body.length() < 8_000).toList();
        List<String> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            events.add(small.get(i % small.size()));
        }
        return events;
    }

    private static byte[] array(List<String> events) {
        return utf8("[" + String.join(",", events) + "]");
    }

    private static byte[] utf8(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] gzip(String json) {
        return gzip(utf8(json));
    }

    private static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private HttpResponse<String> post(Body body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/reportData"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.bytes()))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60));
        if (body.encoding() != null) {
            request.header("Content-Encoding", body.encoding());
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The demo project without a rate limit to speak of, so valid bodies get through and are held until Kafka has them. */
    private static String unlimitedProjectsFile() {
        try {
            Path file = Files.createTempFile("projects-storm", ".yml");
            file.toFile().deleteOnExit();
            Files.writeString(file, """
                    projects:
                      - apikey: demo-project
                        readToken: demo-read-token
                        allowedOrigins: ["*"]
                        rateLimit: {eventsPerSecond: 1000000, burst: 1000000}
                    """);
            return file.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
