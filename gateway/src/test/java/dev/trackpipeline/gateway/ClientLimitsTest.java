package dev.trackpipeline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.infra.EmbeddedInfrastructure;
import dev.trackpipeline.infra.testing.KafkaTestRecords;
import dev.trackpipeline.model.fixtures.WebSeeFixtures;
import dev.trackpipeline.model.kafka.TrackHeaders;
import dev.trackpipeline.model.metrics.TrackMeters;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import io.github.bucket4j.TimeMeter;
import org.apache.catalina.Valve;
import org.apache.catalina.valves.RemoteIpValve;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * What one client may send, through the real gateway and Kafka: its share of its project's rate
 * limit, and its requests before any body is read. The gateway here sits behind a trusted reverse
 * proxy at 127.0.0.1, so each client is the address that proxy names in X-Forwarded-For; a peer
 * at 127.0.0.2 is not a trusted proxy, so what it says in the header is ignored. The limits' clock
 * stands still, so no bucket refills while a test spends it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.forward-headers-strategy=native",
        "server.tomcat.remoteip.internal-proxies=127.0.0.1/32",
        "track.gateway.client-requests.per-second=1",
        "track.gateway.client-requests.burst=5",
        "track.gateway.client-bytes.per-second=1KB",
        "track.gateway.client-bytes.burst=1MB",
        // a share of 10 % of busy's limit (1/s, burst 1000): 1/s, burst 100
        "track.gateway.client-share.min-events-per-second=1",
        "track.gateway.client-share.min-burst=1"})
class ClientLimitsTest {

    static final EmbeddedInfrastructure infra = EmbeddedInfrastructure.startForTests();
    static final String EVENT = WebSeeFixtures.load().first("error").body().replace("\"apikey\":\"demo-project\"", "\"apikey\":\"busy\"");
    static final String SALT = "track-pipeline";

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) throws IOException {
        Path projects = Files.createTempFile("projects-client-limits", ".yml");
        projects.toFile().deleteOnExit();
        Files.writeString(projects, """
                projects:
                  - apikey: busy
                    readToken: busy-token
                    rateLimit: {eventsPerSecond: 1, burst: 1000}
                """);
        registry.add("spring.kafka.bootstrap-servers", infra::kafkaBootstrapServers);
        registry.add("track.projects-file", projects::toString);
    }

    @AfterAll
    static void stopInfrastructure() {
        infra.close();
    }

    @TestConfiguration(proxyBeanMethods = false)
    static class StillTime {

        @Bean
        @Primary
        TimeMeter stillRateLimitTime() {
            return new TimeMeter() {
                @Override
                public long currentTimeNanos() {
                    return 0;
                }

                @Override
                public boolean isWallClockBased() {
                    return false;
                }
            };
        }
    }

    @Value("${local.server.port}")
    int port;

    @Autowired
    MeterRegistry meters;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void refusesAnAbusiveAddressOverItsShareWith429NamingItWhileAnotherAddressOfTheSameProjectIsAccepted() throws Exception {
        double refusedBefore = refusals("client_rate_limited");

        HttpResponse<String> flood = post("198.51.100.1", batch(150, "flood"));
        HttpResponse<String> more = post("198.51.100.1", batch(5, "more"));
        String marker = "browser-" + UUID.randomUUID();
        HttpResponse<String> browser = post("198.51.100.2", batch(5, marker));

        assertThat(flood.statusCode()).as(flood.body()).isEqualTo(202);
        assertThat(flood.body()).startsWith("{\"accepted\":100,\"rejected\":[{\"index\":100,\"outcome\":\"client_rate_limited\","
                + "\"reason\":\"client: this address is over its share of project \\\"busy\\\"'s rate limit (clientShare):"
                + " 1 events/s, burst 100, of the project's 1 events/s, burst 1000\"}");
        assertThat(more.statusCode()).isEqualTo(429);
        assertThat(more.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(more.body()).contains("\"outcome\":\"client_rate_limited\"").doesNotContain("\"outcome\":\"rate_limited\"");
        assertThat(browser.statusCode()).as(browser.body()).isEqualTo(202);
        assertThat(browser.body()).isEqualTo("{\"accepted\":5,\"rejected\":[]}");
        List<ConsumerRecord<String, byte[]>> browsers = KafkaTestRecords.readAll(infra.kafkaBootstrapServers(), "track.error").stream()
                .filter(record -> new String(record.value(), StandardCharsets.UTF_8).contains(marker)).toList();
        assertThat(browsers).hasSize(5).allSatisfy(record ->
                assertThat(header(record, TrackHeaders.CLIENT_HASH)).isEqualTo(hash("198.51.100.2")));
        assertThat(refusals("client_rate_limited")).isEqualTo(refusedBefore + 50 + 5);
    }

    /** Headers only, then nothing: a gateway that began to read the body would wait for it, and answer 408 at the deadline. */
    @Test
    void refusesAnAddressOverItsRequestRateWith429BeforeReadingAnyOfTheBody() throws Exception {
        double refusedBefore = refusals("too_many_requests");
        for (int request = 0; request < 5; request++) {
            assertThat(post("198.51.100.3", EVENT).statusCode()).as("request %d of the burst", request).isEqualTo(202);
        }

        RawAnswer refused;
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(headers("198.51.100.3", EVENT.getBytes(StandardCharsets.UTF_8).length,
                    "Origin: https://shop.example\r\n"));
            refused = RawAnswer.readToTheEnd(socket);
        }

        assertThat(refused.status()).isEqualTo(429);
        // answered before the CORS filter, yet readable by the page's fetch, its Retry-After too
        assertThat(refused.text()).contains("Access-Control-Allow-Origin: https://shop.example",
                "Access-Control-Expose-Headers: Retry-After");
        assertThat(refused.text()).contains("Retry-After: 1", "Connection: close",
                "{\"accepted\":0,\"rejected\":[{\"index\":-1,\"outcome\":\"too_many_requests\",\"reason\":\"client: more than 1"
                        + " requests/s (burst 5) from this address (clientRequests); nothing was read, retry later\"}]}");
        assertThat(refusals("too_many_requests")).isEqualTo(refusedBefore + 1);
        assertThat(post("198.51.100.4", EVENT).statusCode()).as("another address").isEqualTo(202);
    }

    /** A gzip body of a few kilobytes may hold megabytes: what it costs is charged as it is decompressed. */
    @Test
    void stopsReadingABodyOnceItsAddressHasHadItsBytesReadWith429() throws Exception {
        StringBuilder events = new StringBuilder("[").append(EVENT);
        while (events.length() < 3 * 1024 * 1024 / 2) {
            events.append(',').append(EVENT);
        }
        byte[] megabytes = gzip(events.append(']').toString());

        HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/reportData"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(megabytes)).header("Content-Type", "application/json")
                .header("Content-Encoding", "gzip").header("X-Forwarded-For", "198.51.100.9").build(), HttpResponse.BodyHandlers.ofString());

        assertThat(megabytes.length).as("on the wire").isLessThan(100 * 1024);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
        assertThat(refused.headers().firstValue("Connection")).hasValue("close");
        assertThat(refused.body()).isEqualTo("{\"accepted\":0,\"rejected\":[{\"index\":-1,\"outcome\":\"too_many_requests\",\"reason\":"
                + "\"client: more than 1024 bytes/s of request bodies after gzip (burst 1048576) from this address (clientBytes);"
                + " the rest was not read, retry later\"}]}");
        assertThat(post("198.51.100.9", EVENT).statusCode()).as("the same address's next body").isEqualTo(429);
        assertThat(post("198.51.100.10", EVENT).statusCode()).as("another address").isEqualTo(202);
    }

    /** One host is given a whole /64: a new address for every request must not be a new client. */
    @Test
    void countsTheAddressesOfOneIpv6Slash64AsOneClient() throws Exception {
        for (int request = 1; request <= 5; request++) {
            assertThat(post("2001:db8:0:7::" + request, EVENT).statusCode()).as("request %d of the burst", request).isEqualTo(202);
        }

        HttpResponse<String> sixth = post("2001:db8:0:7:8a2e:370:7334:abcd", EVENT);

        assertThat(sixth.statusCode()).isEqualTo(429);
        assertThat(sixth.body()).contains("\"outcome\":\"too_many_requests\"");
        assertThat(post("2001:db8:0:8::1", EVENT).statusCode()).as("the next /64").isEqualTo(202);
    }

    /** Posts answered before /reportData's controller read and dropped their bodies too: they spend the address's requests. */
    @Test
    void countsEveryRequestWithABodyAgainstItsAddressWhateverPathMethodOrOriginItHas() throws Exception {
        String address = "198.51.100.6";
        assertThat(send(address, "POST", "/nowhere", EVENT, null).statusCode()).as("an unknown path").isEqualTo(404);
        assertThat(send(address, "PUT", "/reportData", EVENT, null).statusCode()).as("a method nothing answers").isEqualTo(405);
        assertThat(send(address, "POST", "/reportData", EVENT, "https://not-allowed.example").statusCode())
                .as("an origin no project allows").isEqualTo(403);
        assertThat(send(address, "POST", "/nowhere", EVENT, null).statusCode()).isEqualTo(404);
        assertThat(send(address, "PATCH", "/elsewhere", EVENT, null).statusCode()).isEqualTo(404);

        HttpResponse<String> sixth = post(address, EVENT);
        HttpResponse<String> seventh = send(address, "POST", "/nowhere", EVENT, null);

        assertThat(sixth.statusCode()).as(sixth.body()).isEqualTo(429);
        assertThat(sixth.body()).contains("\"outcome\":\"too_many_requests\"");
        assertThat(seventh.statusCode()).isEqualTo(429);
        assertThat(seventh.headers().firstValue("Connection")).hasValue("close");
        assertThat(seventh.body()).isEqualTo("{\"accepted\":0,\"rejected\":[{\"index\":-1,\"outcome\":\"too_many_requests\",\"reason\":"
                + "\"client: more than 1 requests/s (burst 5) from this address (clientRequests); nothing was read, retry later\"}]}");
    }

    @Test
    void ignoresXForwardedForFromAPeerThatIsNotATrustedProxy() throws Exception {
        for (int request = 0; request < 5; request++) {
            post("198.51.100.5", EVENT);
        }
        assertThat(post("198.51.100.5", EVENT).statusCode()).as("198.51.100.5 has sent its requests").isEqualTo(429);
        String marker = "spoofed-" + UUID.randomUUID();
        String event = EVENT.replaceFirst("\"uuid\":\"[^\"]+\"", "\"uuid\":\"" + marker + "\"");

        RawAnswer answer;
        try (Socket untrusted = new Socket(InetAddress.getByName("127.0.0.1"), port, InetAddress.getByName("127.0.0.2"), 0)) {
            untrusted.setSoTimeout(30_000);
            byte[] body = event.getBytes(StandardCharsets.UTF_8);
            untrusted.getOutputStream().write(concat(headers("198.51.100.5", body.length, "Connection: close\r\n"), body));
            answer = RawAnswer.readToTheEnd(untrusted);
        }

        assertThat(answer.status()).as(answer.text()).isEqualTo(202);
        assertThat(KafkaTestRecords.readAll(infra.kafkaBootstrapServers(), "track.error")).filteredOn(record ->
                new String(record.value(), StandardCharsets.UTF_8).contains(marker)).singleElement().satisfies(record ->
                assertThat(header(record, TrackHeaders.CLIENT_HASH)).isEqualTo(hash("127.0.0.2")));
    }

    /** RemoteIpValve runs first, so the valve that drops unread bodies per address bounds the same address as the rest. */
    @Test
    void resolvesTheClientsAddressBeforeTheValveThatBoundsItsUnreadBodies(@Autowired WebServerApplicationContext context) {
        Valve[] valves = ((TomcatWebServer) context.getWebServer()).getTomcat().getEngine().getPipeline().getValves();
        List<String> names = Arrays.stream(valves).map(valve -> valve.getClass().getSimpleName()).toList();

        assertThat(valves[0]).isInstanceOf(RemoteIpValve.class);
        assertThat(names).contains("UnreadBodies");
    }

    private HttpResponse<String> post(String forwardedFor, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/reportData"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json")
                .header("X-Forwarded-For", forwardedFor).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> send(String forwardedFor, String method, String path, String body, String origin) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json")
                .header("X-Forwarded-For", forwardedFor);
        if (origin != null) {
            request.header("Origin", origin);
        }
        // a client of its own: the gateway closes a connection whose body an error page (404, 405) left unread
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String batch(int events, String marker) {
        return IntStream.range(0, events).mapToObj(event -> EVENT.replaceFirst("\"uuid\":\"[^\"]+\"", "\"uuid\":\"" + marker + "-" + event + "\""))
                .collect(Collectors.joining(",", "[", "]"));
    }

    private byte[] headers(String forwardedFor, int contentLength, String... more) {
        return ("POST /reportData HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Type: application/json\r\n"
                + "X-Forwarded-For: " + forwardedFor + "\r\nContent-Length: " + contentLength + "\r\n" + String.join("", more) + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] gzip(String json) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gzip = new java.util.zip.GZIPOutputStream(out)) {
            gzip.write(json.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[] head, byte[] body) {
        byte[] all = Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    /** The client hash in Kafka's headers: the salted SHA-256 of the address, its first 8 bytes in hex. */
    static String hash(String address) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        digest.update(SALT.getBytes(StandardCharsets.UTF_8));
        digest.update(address.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest.digest(), 0, 8);
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    private double refusals(String outcome) {
        var counter = meters.find(TrackMeters.INGEST_EVENTS).tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    /** An answer read until the gateway closed the connection. */
    private record RawAnswer(int status, String text) {

        static RawAnswer readToTheEnd(Socket socket) throws IOException {
            InputStream in = socket.getInputStream();
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(text).startsWith("HTTP/1.1 ");
            return new RawAnswer(Integer.parseInt(text.substring(9, 12)), text);
        }
    }
}
