package dev.trackpipeline.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.infra.FreePorts;
import dev.trackpipeline.infra.InfrastructureSettings;
import dev.trackpipeline.infra.testing.KafkaTestRecords;
import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.model.event.EventFamily;
import dev.trackpipeline.model.kafka.ConsumerGroups;
import dev.trackpipeline.model.kafka.TopicNames;
import dev.trackpipeline.model.fixtures.WebSeeFixtures.CapturedRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The pipeline as {@code bin/track local} runs it, on free ports, for the end-to-end tests. */
final class TestPipelines {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final EventFamilies FAMILIES = new EventFamilies();
    /** The writer keeps each family's events in the collection of the family's name. */
    static final List<String> COLLECTIONS = FAMILIES.all().stream().map(EventFamily::name).toList();

    private TestPipelines() {
    }

    /**
     * The services' JVM options as bin/track gives them (a 256 MB heap, the serial collector, an
     * exit on OutOfMemoryError): G1's concurrent threads would compete for the two cores the
     * suite's other processes need, and the AOT caches fit one set of options.
     */
    static final List<String> SERVICE_JVM_OPTIONS = List.of(ServiceProcess.DEFAULT_JVM_OPTIONS.split(" "));

    /** The same, with {@code more} after them. */
    static List<String> serviceJvmOptions(String... more) {
        return java.util.stream.Stream.concat(SERVICE_JVM_OPTIONS.stream(), java.util.Arrays.stream(more)).toList();
    }

    /** Embedded infrastructure in {@code dataDir}, the demo project registry, services as bin/track starts them. */
    static LocalPipeline startLocal(Path dataDir) throws Exception {
        Path home = Path.of(System.getProperty("track.home", ".."));
        InfrastructureSettings infra = InfrastructureSettings.forTests(dataDir).withPersistence(true);
        return LocalPipeline.start(new LocalPipeline.Settings(home, infra, home.resolve("config/projects.yml"),
                ServicePorts.free(), SERVICE_JVM_OPTIONS));
    }

    /** A registry of one project for a fault run's load: any origin, and a rate limit the load never reaches. */
    static Path loadProject(Path dataDir, String apikey, String readToken) throws IOException {
        Path projects = dataDir.resolve("projects.yml");
        Files.writeString(projects, """
                projects:
                  - apikey: %s
                    readToken: %s
                    allowedOrigins: ["*"]
                    rateLimit: {eventsPerSecond: 100000, burst: 100000}
                """.formatted(apikey, readToken));
        return projects;
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

    /** A browser's CORS preflight for {@code method} with an Authorization header, from a page of {@code origin}. */
    static HttpResponse<String> preflight(String url, String origin, String method) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", origin).header("Access-Control-Request-Method", method)
                .header("Access-Control-Request-Headers", "authorization").build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A GET with the demo project's read token, as a page of {@code origin} sends it. */
    static HttpResponse<String> getFrom(String url, String origin) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer demo-read-token").header("Origin", origin)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Waits until the writer and the aggregator have committed everything the event topics hold. */
    static void awaitBothConsumersCaughtUp(LocalPipeline pipeline) {
        List<String> topics = TopicNames.defaults().eventTopics(FAMILIES);
        for (String group : List.of(ConsumerGroups.WRITER, ConsumerGroups.AGGREGATOR)) {
            try {
                KafkaTestRecords.awaitConsumed(pipeline.infrastructure().kafkaBootstrapServers(), group, topics, Duration.ofSeconds(120));
            } catch (AssertionError behind) {
                // the test's data directory goes with it: what the consumers said is kept in the failure
                throw new AssertionError(behind.getMessage() + consumerLogTails(pipeline.logs()), behind);
            }
        }
    }

    private static String consumerLogTails(Path logs) {
        StringBuilder tails = new StringBuilder();
        try (var files = Files.list(logs)) {
            for (Path log : files.filter(file -> file.getFileName().toString().startsWith("consumer-")).sorted().toList()) {
                // decoded leniently: a stray byte in a log must not cost the whole tail
                List<String> lines = new String(Files.readAllBytes(log), java.nio.charset.StandardCharsets.UTF_8).lines().toList();
                tails.append("\n--- last lines of ").append(log.getFileName()).append(" ---\n")
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size())));
            }
        } catch (IOException unreadable) {
            tails.append("\n(the consumers' logs could not be read: ").append(unreadable).append(')');
        }
        return tails.toString();
    }

    /** What the metrics API counts for a project over the last day. */
    static long countedEvents(LocalPipeline pipeline, String apikey, String readToken) throws Exception {
        String overview = HTTP.send(HttpRequest.newBuilder(URI.create(pipeline.url("consumer-aggregator")
                        + "/api/metrics/overview?apikey=" + apikey + "&window=24h")).header("Authorization", "Bearer " + readToken).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher events = Pattern.compile("\"events\":(\\d+)").matcher(overview);
        assertThat(events.find()).as(overview).isTrue();
        return Long.parseLong(events.group(1));
    }

    /** A port from which six in a row are free: three brokers' and their controllers', counted up in twos. */
    static int sixFreePortsFrom() {
        return FreePorts.inARow(6);
    }
}
