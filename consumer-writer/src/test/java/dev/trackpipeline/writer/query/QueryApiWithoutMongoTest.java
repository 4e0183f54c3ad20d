package dev.trackpipeline.writer.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.infra.EmbeddedInfrastructure;
import dev.trackpipeline.infra.FreePorts;
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

/** With MongoDB out of reach, every read of the query API is answered 503 with a message saying so, never 500. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"track.writer.group-id=no-mongo-writer", "track.writer.server-selection-timeout=1s"})
class QueryApiWithoutMongoTest {

    static final EmbeddedInfrastructure infra = EmbeddedInfrastructure.startForTests();
    /** A port nothing listens on. */
    static final int NOBODY = FreePorts.one();

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", infra::kafkaBootstrapServers);
        registry.add("spring.mongodb.uri", () -> "mongodb://127.0.0.1:" + NOBODY + "/track");
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
        for (String path : List.of("/api/errors/list?apikey=demo-project", "/api/errors/stats?apikey=demo-project",
                "/api/errors/groups/some-group?apikey=demo-project",
                "/api/performance/metrics?apikey=demo-project", "/api/record-screen/some-recording?apikey=demo-project")) {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .header("Authorization", "Bearer demo-read-token").GET().build(), HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).as(path).isEqualTo(503);
            assertThat(response.body()).as(path).isEqualTo("{\"code\":503,\"message\":\"" + MongoUnavailableResponses.UNREACHABLE + "\"}");
        }
    }
}
