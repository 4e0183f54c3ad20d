package dev.trackpipeline.aggregator.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.aggregator.metrics.RedisBusyWithAScript;
import dev.trackpipeline.infra.EmbeddedInfrastructure;
import dev.trackpipeline.model.fixtures.FixtureRecords;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Redis up but not answering (BUSY with a script past lua-time-limit, busy-reply-threshold in Redis 7; LOADING after a
 * restart is alike) is answered 503 like Redis out of reach, not 500: the consumer side waits
 * these out as outages, and a read can do no better than be tried again.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "track.aggregator.group-id=busy-redis-aggregator")
class MetricsApiWithRedisBusyTest {

    static final EmbeddedInfrastructure infra = EmbeddedInfrastructure.startForTests();

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", infra::kafkaBootstrapServers);
        registry.add("track.aggregator.redis.host", () -> infra.redis().host());
        registry.add("track.aggregator.redis.port", () -> infra.redis().port());
        registry.add("track.projects-file", () -> FixtureRecords.testProjectsFile().toString());
    }

    @AfterAll
    static void stop() {
        infra.close();
    }

    @Value("${local.server.port}")
    int port;

    @Test
    void aReadFindingRedisBusyWithAScriptIsAnsweredServiceUnavailable() throws Exception {
        List<String> paths = List.of("/api/metrics/overview?apikey=demo-project&window=24h", "/api/metrics/top-errors?apikey=demo-project");
        for (String path : paths) {
            assertThat(get(path).statusCode()).as(path + " before").isEqualTo(200);
        }

        try (RedisBusyWithAScript busy = RedisBusyWithAScript.start(infra.redis().host(), infra.redis().port())) {
            for (String path : paths) {
                HttpResponse<String> response = get(path);
                assertThat(response.statusCode()).as(path).isEqualTo(503);
                assertThat(response.body()).as(path)
                        .isEqualTo("{\"code\":503,\"message\":\"" + RedisUnavailableResponses.NOT_ANSWERING + "\"}");
            }
        }
        for (String path : paths) {
            assertThat(get(path).statusCode()).as(path + " after").isEqualTo(200);
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer demo-read-token").GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
