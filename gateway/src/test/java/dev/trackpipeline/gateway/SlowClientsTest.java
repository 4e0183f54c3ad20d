package dev.trackpipeline.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trackpipeline.infra.EmbeddedInfrastructure;
import dev.trackpipeline.model.fixtures.FixtureRecords;
import dev.trackpipeline.model.fixtures.WebSeeFixtures;
import dev.trackpipeline.model.metrics.TrackMeters;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Clients that send a body slowly or not at all, as in the security review's slowloris: each body
 * read holds one of Tomcat's request threads, so a body that has not all come by the deadline is
 * refused, and one address may have only so many bodies read at once. Stalled clients are raw
 * sockets, since an HTTP client always sends the whole body. All of them come from 127.0.0.1.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "track.gateway.body-read-timeout=" + SlowClientsTest.DEADLINE_SECONDS + "s",
        "track.gateway.max-body-reads-per-client=2"})
class SlowClientsTest {

    static final int DEADLINE_SECONDS = 4;
    /** Far past the deadline, far short of Tomcat's 60 s default wait for a read: an answer later than this is no deadline. */
    static final Duration GENEROUS = Duration.ofSeconds(DEADLINE_SECONDS * 5);
    static final EmbeddedInfrastructure infra = EmbeddedInfrastructure.startForTests();
    static final byte[] EVENT = WebSeeFixtures.load().first("error").bodyBytes();
    static final String TIMED_OUT = "{\"accepted\":0,\"rejected\":[{\"index\":-1,\"outcome\":\"body_timeout\","
            + "\"reason\":\"body: not received within " + DEADLINE_SECONDS + "s (bodyReadTimeout)\"}]}";

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

    @Autowired
    MeterRegistry meters;

    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void holdsNoStateForAnyAddressOnceItsBodiesHaveEnded() {
        await().atMost(GENEROUS).untilAsserted(() -> {
            assertThat(gauge(TrackMeters.INGEST_BODY_READS)).as("bodies being read").isZero();
            assertThat(gauge(TrackMeters.INGEST_BODY_READ_CLIENTS)).as("addresses held").isZero();
        });
    }

    @Test
    void answers408ToABodyThatStopsHalfwayOnceItsDeadlinePassesAndServesOtherClientsMeanwhile() throws Exception {
        double timedOutBefore = refusals("body_timeout");
        long sent = System.nanoTime();
        try (Socket stalled = sendHalfABody()) {
            await().atMost(GENEROUS).until(() -> gauge(TrackMeters.INGEST_BODY_READS) == 1); // a request thread waits for it

            HttpResponse<String> meanwhile = post(EVENT);

            assertThat(meanwhile.statusCode()).as(meanwhile.body()).isEqualTo(202);
            RawAnswer answer = RawAnswer.readToTheEnd(stalled);
            assertThat(Duration.ofNanos(System.nanoTime() - sent)).isGreaterThanOrEqualTo(Duration.ofSeconds(DEADLINE_SECONDS));
            assertThat(answer.status()).isEqualTo(408);
            assertThat(answer.text()).contains("Connection: close", TIMED_OUT);
        }
        assertThat(refusals("body_timeout")).isEqualTo(timedOutBefore + 1);
    }

    /** The review's attack: every read gets a byte long before Tomcat's wait for it runs out, and the body never ends. */
    @Test
    void answers408ToABodyStillTricklingInAtItsDeadline() throws Exception {
        AtomicBoolean answered = new AtomicBoolean();
        try (Socket socket = sendHalfABody(); Trickle trickle = new Trickle(socket, answered)) {

            RawAnswer answer = RawAnswer.readToTheEnd(socket, answered);

            assertThat(answer.status()).isEqualTo(408);
            assertThat(answer.text()).contains("Connection: close", TIMED_OUT);
            assertThat(trickle.bytes()).as("bytes trickled, far fewer than the rest of the body").isPositive().isLessThan(EVENT.length / 2);
        }
    }

    @Test
    void refusesAnAddressItsThirdConcurrentBodyAtOnceWithoutReadingItAndAcceptsItsPostsOnceTheFirstTwoHaveEnded() throws Exception {
        double refusedBefore = refusals("too_many_body_reads");
        try (Socket first = sendHalfABody(); Socket second = sendHalfABody()) {
            await().atMost(GENEROUS).until(() -> gauge(TrackMeters.INGEST_BODY_READS) == 2);

            try (Socket third = sendHalfABody()) {
                RawAnswer refused = RawAnswer.readToTheEnd(third);

                assertThat(gauge(TrackMeters.INGEST_BODY_READS)).as("the first two still being read").isEqualTo(2);
                assertThat(refused.status()).isEqualTo(503);
                assertThat(refused.text()).contains("Retry-After: 5", "Connection: close",
                        "{\"accepted\":0,\"rejected\":[{\"index\":-1,\"outcome\":\"too_many_body_reads\",\"reason\":\"client: already 2"
                                + " request bodies being read from this address (maxBodyReadsPerClient); nothing was accepted, retry later\"}]}");
            }
            assertThat(RawAnswer.readToTheEnd(first).status()).isEqualTo(408);
            assertThat(RawAnswer.readToTheEnd(second).status()).isEqualTo(408);
        }
        assertThat(refusals("too_many_body_reads")).isEqualTo(refusedBefore + 1);

        HttpResponse<String> after = post(EVENT);

        assertThat(after.statusCode()).as(after.body()).isEqualTo(202);
    }

    /**
     * Once a request is answered, Tomcat would read what is left of its body to keep the connection,
     * at the client's pace, on a request thread: any path would do for a slowloris.
     */
    @Test
    void closesTheConnectionOfABodyNobodyReadsByItsDeadlineHoweverSteadilyItTricklesWhateverThePath() throws Exception {
        for (String path : List.of("/nowhere", "/reportData?data=x")) {
            try (Socket socket = sendHalfABody("PUT", path); Trickle trickle = new Trickle(socket, new AtomicBoolean())) {
                InputStream answer = socket.getInputStream();

                assertThat(new String(answer.readNBytes(12), StandardCharsets.US_ASCII)).as(path).isIn("HTTP/1.1 404", "HTTP/1.1 405");
                assertClosedByTheGateway(socket);
                assertThat(trickle.bytes()).as("bytes trickled, far fewer than the rest of the body").isLessThan(EVENT.length / 2);
            }
        }
    }

    @Test
    void keepsTheConnectionOfAPostReadToItsEndOpenForTheNext() throws Exception {
        try (Socket client = new Socket("127.0.0.1", port)) {
            client.setSoTimeout((int) GENEROUS.toMillis());
            for (int post = 0; post < 2; post++) {
                client.getOutputStream().write(request("POST", "/reportData", EVENT, EVENT.length));
                client.getOutputStream().flush();

                assertThat(readOneAnswer(client)).as("post %d on one connection", post).startsWith("HTTP/1.1 202");
            }
        }
    }

    @Test
    void servesTheTimedOutAnswerOnlyAsTomcatsErrorPage() throws Exception {
        HttpResponse<String> asked = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/error/body-timeout"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(EVENT)).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(asked.statusCode()).isEqualTo(404);
    }

    private Socket sendHalfABody() throws IOException {
        return sendHalfABody("POST", "/reportData");
    }

    /** Headers and the first half of a body whose Content-Length promises all of it, in one write, then nothing. */
    private Socket sendHalfABody(String method, String path) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout((int) GENEROUS.toMillis());
        socket.getOutputStream().write(request(method, path, Arrays.copyOf(EVENT, EVENT.length / 2), EVENT.length));
        socket.getOutputStream().flush();
        return socket;
    }

    private byte[] request(String method, String path, byte[] body, int contentLength) {
        String headers = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + contentLength + "\r\n\r\n";
        byte[] head = headers.getBytes(StandardCharsets.US_ASCII);
        byte[] request = Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, request, head.length, body.length);
        return request;
    }

    /** One answer on a connection that stays open: its headers and its chunked body up to the last chunk. */
    private static String readOneAnswer(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        StringBuilder text = new StringBuilder();
        while (!text.toString().endsWith("\r\n0\r\n\r\n")) {
            int next = in.read();
            assertThat(next).as("the connection closed after: %s", text).isNotEqualTo(-1);
            text.append((char) next);
        }
        return text.toString();
    }

    private HttpResponse<String> post(byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/reportData"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Whatever was left of the answer is read; the connection must end, by the gateway's FIN or, if a trickled byte crossed it, its reset. */
    private static void assertClosedByTheGateway(Socket socket) throws IOException {
        try {
            socket.getInputStream().readAllBytes();
        } catch (SocketException reset) {
            assertThat(reset).hasMessageContaining("reset");
        }
    }

    private double gauge(String name) {
        return meters.get(name).gauge().value();
    }

    private double refusals(String outcome) {
        var counter = meters.find(TrackMeters.INGEST_EVENTS).tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    /** A byte of body every 250 ms, until the answer starts ({@code answered}) or the connection is gone. */
    private static final class Trickle implements AutoCloseable {

        private final ScheduledExecutorService pace = Executors.newSingleThreadScheduledExecutor();
        private final AtomicInteger bytes = new AtomicInteger();

        Trickle(Socket socket, AtomicBoolean answered) throws IOException {
            OutputStream out = socket.getOutputStream();
            pace.scheduleAtFixedRate(() -> {
                try {
                    // stopping at the answer keeps a byte from reaching the closed connection and resetting it before the answer is read
                    if (!answered.get()) {
                        out.write(' ');
                        out.flush();
                        bytes.incrementAndGet();
                    }
                } catch (IOException closed) {
                    throw new IllegalStateException(closed); // ends the schedule
                }
            }, 250, 250, TimeUnit.MILLISECONDS);
        }

        int bytes() {
            return bytes.get();
        }

        @Override
        public void close() {
            pace.shutdownNow();
        }
    }

    /** An answer read from the socket until the gateway closed it: it is there only if the connection was closed. */
    private record RawAnswer(int status, String text) {

        static RawAnswer readToTheEnd(Socket socket) throws IOException {
            return readToTheEnd(socket, new AtomicBoolean());
        }

        /** @param started set once the first bytes of the answer are in */
        static RawAnswer readToTheEnd(Socket socket, AtomicBoolean started) throws IOException {
            InputStream in = socket.getInputStream();
            int first = in.read();
            started.set(true);
            String text = first == -1 ? "" : (char) first + new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(text).startsWith("HTTP/1.1 ");
            return new RawAnswer(Integer.parseInt(text.substring(9, 12)), text);
        }
    }
}
