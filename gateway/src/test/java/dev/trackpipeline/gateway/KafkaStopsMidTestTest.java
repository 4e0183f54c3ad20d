package dev.trackpipeline.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trackpipeline.infra.EmbeddedKafkaBroker;
import dev.trackpipeline.infra.FreePorts;
import dev.trackpipeline.model.fixtures.FixtureRecords;
import dev.trackpipeline.model.fixtures.WebSeeFixtures;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The broker goes away under a running gateway: no 2xx while it is gone, 202 again once it is back. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "track.gateway.publish-timeout=3s")
class KafkaStopsMidTestTest {

    static final Path logDir = temporaryDirectory();
    static final int port = FreePorts.one();
    static final int controllerPort = FreePorts.one();
    static EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(logDir, "127.0.0.1", port, controllerPort);

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", () -> "127.0.0.1:" + port);
        registry.add("track.projects-file", () -> FixtureRecords.testProjectsFile().toString());
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Value("${local.server.port}")
    int gatewayPort;

    private final HttpClient http = HttpClient.newHttpClient();
    private final WebSeeFixtures fixtures = WebSeeFixtures.load();

    @Test
    void answers503WhileTheBrokerIsDownAnd202OnceItIsBack() throws Exception {
        assertThat(post(fixtures.posts().get(0).body()).statusCode()).isEqualTo(202);

        broker.close();
        HttpResponse<String> duringOutage = post(fixtures.posts().get(1).body());

        assertThat(duringOutage.statusCode()).isEqualTo(503);
        assertThat(duringOutage.headers().firstValue("Retry-After")).hasValue("5");
        assertThat(duringOutage.body()).contains("\"accepted\":0", "kafka_unavailable");

        broker = EmbeddedKafkaBroker.start(logDir, "127.0.0.1", port, controllerPort);
        await().atMost(Duration.ofSeconds(60)).until(() -> post(fixtures.posts().get(2).body()).statusCode() == 202);
    }

    private HttpResponse<String> post(String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort + "/reportData"))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "text/plain;charset=UTF-8")
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Path temporaryDirectory() {
        try {
            Path dir = Files.createTempDirectory("track-kafka-stop");
            dir.toFile().deleteOnExit();
            return dir;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
