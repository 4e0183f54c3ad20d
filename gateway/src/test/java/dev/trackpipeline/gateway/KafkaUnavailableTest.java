package dev.trackpipeline.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trackpipeline.infra.FreePorts;
import dev.trackpipeline.model.fixtures.FixtureRecords;
import dev.trackpipeline.model.metrics.PrometheusSamples;
import dev.trackpipeline.model.fixtures.WebSeeFixtures;
import io.github.bucket4j.TimeMeter;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** No broker at all: the gateway must not answer 2xx for events Kafka does not hold. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "track.gateway.publish-timeout=2s",
        "spring.kafka.producer.properties.max.block.ms=1000",
        "spring.kafka.admin.fail-fast=false",
        "spring.kafka.admin.auto-create=false",
        // One event in flight fills the budget: the next request finds it full.
        "track.gateway.max-in-flight=1B"})
class KafkaUnavailableTest {

    @DynamicPropertySource
    static void deadBroker(DynamicPropertyRegistry registry) {
        int port = FreePorts.one();
        registry.add("spring.kafka.bootstrap-servers", () -> "127.0.0.1:" + port);
        registry.add("track.projects-file", () -> FixtureRecords.testProjectsFile().toString());
    }

    /** The rate limits' clock stands still, so a spent token comes back only if the gateway gives it back. */
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

    @Value("${local.management.port}")
    int managementPort;

    @Test
    void answers503WithRetryAfterWhenKafkaCannotTakeTheEvents() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/reportData"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(WebSeeFixtures.load().first("error").bodyBytes()))
                .header("Content-Type", "text/plain;charset=UTF-8")
                .build();

        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).hasValue("5");
        assertThat(response.body()).isEqualTo("{\"accepted\":0,\"rejected\":[{\"index\":-1,\"outcome\":\"kafka_unavailable\","
                + "\"reason\":\"Kafka could not take the events in time; nothing was accepted, retry later\"}]}");
    }

    @Test
    void answers503AtOnceWhileTooManyEventsAlreadyWaitForKafka() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        CompletableFuture<HttpResponse<String>> waiting = http.sendAsync(errorEvent(), HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(5)).until(() -> inFlightBytes(http) > 0);

        HttpResponse<String> refused = http.send(errorEvent(), HttpResponse.BodyHandlers.ofString());

        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("5");
        assertThat(refused.body()).contains("\"outcome\":\"overloaded\"", "bytes of events waiting for Kafka; nothing was accepted, retry later");
        assertThat(waiting.get(10, TimeUnit.SECONDS).body()).contains("\"outcome\":\"kafka_unavailable\"");
        await().atMost(Duration.ofSeconds(5)).until(() -> inFlightBytes(http) == 0);
        assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/actuator/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString()).body()).contains("track_ingest_events_total{application=\"gateway\",outcome=\"overloaded\",type=\"error\"} 1.0",
                "track_ingest_publish_seconds_count{application=\"gateway\",outcome=\"failed\"}");
    }

    /** Retries through an outage must not spend the budget, or browsers would be refused 429 right after it. */
    @Test
    void spendsNoneOfAProjectsRateLimitOnEventsRefused503() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        // "limited": 1 event/s, burst 2, and its clock stands still
        HttpRequest limited = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/reportData"))
                .POST(HttpRequest.BodyPublishers.ofString(WebSeeFixtures.load().first("error").body()
                        .replace("\"apikey\":\"demo-project\"", "\"apikey\":\"limited\"")))
                .header("Content-Type", "text/plain;charset=UTF-8")
                .build();

        for (int retry = 1; retry <= 3; retry++) {
            HttpResponse<String> refused = http.send(limited, HttpResponse.BodyHandlers.ofString());

            assertThat(refused.statusCode()).as("retry %d: %s", retry, refused.body()).isEqualTo(503);
            assertThat(refused.body()).contains("\"outcome\":\"kafka_unavailable\"");
        }
    }

    private HttpRequest errorEvent() {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/reportData"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(WebSeeFixtures.load().first("error").bodyBytes()))
                .header("Content-Type", "text/plain;charset=UTF-8")
                .build();
    }

    private double inFlightBytes(HttpClient http) throws Exception {
        String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/actuator/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return PrometheusSamples.parse(metrics).value("track_ingest_in_flight_bytes{application=\"gateway\"}");
    }
}
