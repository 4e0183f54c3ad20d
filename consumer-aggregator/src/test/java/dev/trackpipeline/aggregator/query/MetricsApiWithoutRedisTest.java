package dev.trackpipeline.aggregator.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.infra.EmbeddedInfrastructure;
import dev.trackpipeline.infra.FreePorts;
import dev.trackpipeline.model.fixtures.FixtureRecords;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** With Redis out of reach, every metrics read is answered 503 with a message saying so, never 500. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "track.aggregator.group-id=no-redis-aggregator")
class MetricsApiWithoutRedisTest {

    static final EmbeddedInfrastructure infra = EmbeddedInfrastructure.startForTests();
    /** A port nothing listens on. */
    static final int NOBODY = FreePorts.one();

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", infra::kafkaBootstrapServers);
        registry.add("track.aggregator.redis.host", () -> "127.0.0.1");
        registry.add("track.aggregator.redis.port", () -> NOBODY);
        registry.add("track.projects-file", () -> FixtureRecords.testProjectsFile().toString());
    }

    @AfterAll
    static void stop() {
        infra.close();
    }

    @Value("${local.server.port}")
    int port;

    @Test
    void answersServiceUnavailableForEveryRead() throws Exception {
        for (String path : java.util.List.of("/api/metrics/overview?apikey=demo-project&window=24h",
                "/api/metrics/top-errors?apikey=demo-project", "/api/metrics/pages?apikey=demo-project&window=7d",
                "/api/metrics/series?apikey=demo-project&metrics=events,sessions")) {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .header("Authorization", "Bearer demo-read-token").GET().build(), HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).as(path).isEqualTo(503);
            assertThat(response.body()).as(path).isEqualTo("{\"code\":503,\"message\":\"" + RedisUnavailableResponses.MESSAGE + "\"}");
        }
    }
}
