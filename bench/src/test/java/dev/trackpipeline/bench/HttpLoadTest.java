package dev.trackpipeline.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The in-process load generator counts what was answered, and a run whose answers never come fails instead of hanging. */
class HttpLoadTest {

    private static final List<byte[]> BODIES = List.of("{}".getBytes(StandardCharsets.UTF_8));

    private final CountDownLatch released = new CountDownLatch(1);
    private HttpServer server;

    @AfterEach
    void stopServer() {
        released.countDown();
        server.stop(0);
    }

    @Test
    void anOpenLoopRunCountsTheAnswersWithTheExpectedStatus() throws Exception {
        URI uri = serve(202, false);
        try (HttpLoad load = new HttpLoad()) {
            HttpLoad.Result result = load.atRate(uri, "application/json", BODIES, 202, 100, Duration.ofMillis(200), Duration.ofSeconds(2));

            // Answers completing in the measured 2 s count, late warm-up ones too: never more than the 220 sent.
            assertThat(result.requests()).as("answers in the measured 2 s at 100/s, of %s", result).isBetween(20L, 220L);
            assertThat(result.failures()).isZero();
        }
    }

    @Test
    void answersWithAnotherStatusCountAsFailures() throws Exception {
        URI uri = serve(503, false);
        try (HttpLoad load = new HttpLoad()) {
            HttpLoad.Result result = load.saturate(uri, "application/json", BODIES, 202, 4, Duration.ofMillis(200), Duration.ofMillis(500));

            assertThat(result.requests()).isZero();
            assertThat(result.failures()).isPositive();
        }
    }

    @Test
    void anOpenLoopRunWhoseAnswersNeverComeFailsNamingThem() throws Exception {
        URI uri = serve(202, true);
        try (HttpLoad load = new HttpLoad(Duration.ofSeconds(1))) {
            assertThatThrownBy(() -> load.atRate(uri, "application/json", BODIES, 202, 20, Duration.ZERO, Duration.ofMillis(500)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("still unanswered").hasMessageContaining(uri.toString());
        }
    }

    @Test
    void aClosedLoopRunWhoseAnswersNeverComeFailsNamingThem() throws Exception {
        URI uri = serve(202, true);
        try (HttpLoad load = new HttpLoad(Duration.ofSeconds(1))) {
            assertThatThrownBy(() -> load.saturate(uri, "application/json", BODIES, 202, 2, Duration.ZERO, Duration.ofMillis(500)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("2 requests to " + uri + " still unanswered");
        }
    }

    /** A server answering {@code status}, or holding every request until the test ends. */
    private URI serve(int status, boolean neverAnswer) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            if (neverAnswer) {
                try {
                    released.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/reportData");
    }
}
