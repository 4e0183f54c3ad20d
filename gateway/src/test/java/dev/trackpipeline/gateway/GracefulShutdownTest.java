package dev.trackpipeline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.infra.EmbeddedInfrastructure;
import dev.trackpipeline.infra.testing.KafkaTestRecords;
import dev.trackpipeline.model.fixtures.FixtureRecords;
import dev.trackpipeline.model.fixtures.WebSeeFixtures;
import dev.trackpipeline.model.ingest.EventIds;
import dev.trackpipeline.model.kafka.TrackHeaders;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** Stopping the gateway under load: every answer is true, and every event answered 202 is in Kafka. */
class GracefulShutdownTest {

    static final EmbeddedInfrastructure infra = EmbeddedInfrastructure.startForTests();

    @AfterAll
    static void stopInfrastructure() {
        infra.close();
    }

    @Test
    void answersEveryInFlightRequestTruthfullyWhileStopping() throws Exception {
        ConfigurableApplicationContext gateway = new SpringApplicationBuilder(GatewayApplication.class).run(
                "--server.port=0", "--management.server.port=0",
                "--spring.kafka.bootstrap-servers=" + infra.kafkaBootstrapServers(),
                "--track.projects-file=" + FixtureRecords.testProjectsFile());
        int port = ((WebServerApplicationContext) gateway).getWebServer().getPort();
        String template = WebSeeFixtures.load().first("error").body();
        HttpClient http = HttpClient.newHttpClient();

        List<String> bodies = new ArrayList<>();
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String body = template.replaceFirst("\"uuid\":\"[^\"]+\"", "\"uuid\":\"" + UUID.randomUUID() + "\"");
            bodies.add(body);
            answers.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/reportData"))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "text/plain").build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        CompletableFuture.anyOf(answers.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        gateway.close();

        Set<String> acknowledged = new HashSet<>();
        int refusedConnections = 0;
        for (int i = 0; i < answers.size(); i++) {
            try {
                HttpResponse<String> answer = answers.get(i).join();
                assertThat(answer.statusCode()).as(answer.body()).isIn(202, 503);
                if (answer.statusCode() == 202) {
                    acknowledged.add(EventIds.fromContent(bodies.get(i).getBytes(StandardCharsets.UTF_8)));
                }
            } catch (CompletionException e) {
                // Refused before the server read it: nothing was promised, and the client will retry.
                assertThat(e.getCause()).isInstanceOf(IOException.class);
                refusedConnections++;
            }
        }
        Set<String> inKafka = new HashSet<>();
        KafkaTestRecords.readAll(infra.kafkaBootstrapServers(), "track.error").forEach(record ->
                inKafka.add(new String(record.headers().lastHeader(TrackHeaders.EVENT_ID).value(), StandardCharsets.UTF_8)));

        assertThat(acknowledged).isNotEmpty();
        assertThat(inKafka).containsAll(acknowledged);
        System.out.printf("graceful shutdown: %d acknowledged, %d refused connections%n", acknowledged.size(), refusedConnections);
    }
}
