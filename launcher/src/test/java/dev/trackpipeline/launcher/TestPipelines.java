package dev.trackpipeline.launcher;

import dev.trackpipeline.infra.ExternalServers;
import dev.trackpipeline.infra.InfrastructureSettings;
import dev.trackpipeline.model.fixtures.WebSeeFixtures.CapturedRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The pipeline as {@code bin/track local} runs it, on free ports, for the end-to-end tests. */
final class TestPipelines {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private TestPipelines() {
    }

    /** Embedded infrastructure in {@code dataDir}, the demo project registry, services with 256 MB heaps. */
    static LocalPipeline startLocal(Path dataDir) throws Exception {
        Path home = Path.of(System.getProperty("track.home", ".."));
        InfrastructureSettings ports = InfrastructureSettings.forTests(dataDir);
        InfrastructureSettings infra = new InfrastructureSettings(dataDir, true, ports.host(), ports.kafkaPort(),
                ports.kafkaControllerPort(), ports.mongoPort(), ports.redisPort(), ExternalServers.none());
        return LocalPipeline.start(new LocalPipeline.Settings(home, infra, home.resolve("config/projects.yml"),
                InfrastructureSettings.freePort(), InfrastructureSettings.freePort(), InfrastructureSettings.freePort(), List.of("-Xmx256m")));
    }

    /** Posts a captured request's body to the gateway's {@code /reportData}, as the SDK sent it. */
    static HttpResponse<String> post(LocalPipeline pipeline, CapturedRequest request) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(pipeline.url("gateway") + "/reportData"))
                .POST(HttpRequest.BodyPublishers.ofString(request.body()))
                .header("Content-Type", request.contentType())
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A GET with the demo project's read token. */
    static String get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer demo-read-token").GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Waits until the writer and the aggregator have committed everything the topics hold. */
    static void awaitBothConsumersCaughtUp(LocalPipeline pipeline) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(120)).until(() -> {
            try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers",
                    pipeline.infrastructure().kafkaBootstrapServers()))) {
                for (String group : List.of("track-writer", "track-aggregator")) {
                    var committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, java.util.concurrent.TimeUnit.SECONDS);
                    Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new java.util.HashMap<>();
                    committed.keySet().forEach(partition -> latest.put(partition, org.apache.kafka.clients.admin.OffsetSpec.latest()));
                    var ends = admin.listOffsets(latest).all().get(10, java.util.concurrent.TimeUnit.SECONDS);
                    boolean caughtUp = !committed.isEmpty() && committed.entrySet().stream().allMatch(entry ->
                            entry.getValue() != null && entry.getValue().offset() >= ends.get(entry.getKey()).offset());
                    if (!caughtUp) {
                        return false;
                    }
                }
                return true;
            }
        });
    }
}
