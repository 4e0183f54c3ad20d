package dev.trackpipeline.aggregator.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.infra.EmbeddedInfrastructure;
import dev.trackpipeline.model.fixtures.FixtureRecords;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisBusyException;
import redis.clients.jedis.exceptions.JedisDataException;

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

        try (Jedis script = new Jedis(infra.redis().host(), infra.redis().port()); Jedis control = new Jedis(infra.redis().host(), infra.redis().port())) {
            String threshold = control.configGet("lua-time-limit").get("lua-time-limit");
            control.configSet("lua-time-limit", "1");
            CompletableFuture<Void> running = CompletableFuture.runAsync(() -> {
                try {
                    script.eval("while true do end");
                } catch (JedisDataException killed) {
                    // SCRIPT KILL ends it with an error
                }
            });
            try {
                boolean busy = false;
                for (int i = 0; i < 100_000 && !busy; i++) {
                    try {
                        control.ping();
                    } catch (JedisBusyException e) {
                        busy = true;
                    }
                }
                assertThat(busy).as("Redis busy with the script").isTrue();

                for (String path : paths) {
                    HttpResponse<String> response = get(path);
                    assertThat(response.statusCode()).as(path).isEqualTo(503);
                    assertThat(response.body()).as(path)
                            .isEqualTo("{\"code\":503,\"message\":\"" + RedisUnavailableResponses.NOT_ANSWERING + "\"}");
                }
            } finally {
                control.scriptKill();
                running.get(30, TimeUnit.SECONDS);
                control.configSet("lua-time-limit", threshold);
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
