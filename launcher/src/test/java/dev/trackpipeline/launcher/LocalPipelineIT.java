package dev.trackpipeline.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.MongoClients;
import com.mongodb.client.model.Filters;
import dev.trackpipeline.model.fixtures.WebSeeFixtures;
import dev.trackpipeline.model.fixtures.WebSeeFixtures.CapturedRequest;
import dev.trackpipeline.model.metrics.PrometheusSamples;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.JedisPooled;

/**
 * The whole pipeline as {@code bin/track local} runs it: embedded Kafka, MongoDB-wire server and
 * Redis, and the three services as separate processes from their built jars. Real fixture
 * payloads go in at the gateway and come out of MongoDB, Redis and both read APIs.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalPipelineIT {

    @TempDir
    static Path dataDir;

    static LocalPipeline pipeline;
    static final WebSeeFixtures fixtures = WebSeeFixtures.load();

    @BeforeAll
    static void startPipeline() throws Exception {
        pipeline = TestPipelines.startLocal(dataDir);
    }

    @AfterAll
    static void stopPipeline() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    @Order(1)
    void everyFixtureEventPostedToTheGatewayIsStoredOnceAndCountedOnce() throws Exception {
        List<CapturedRequest> posts = fixtures.posts();
        for (CapturedRequest request : posts) {
            HttpResponse<String> response = post(request);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        }
        // The SDK's sendBeacon has no answer to read; a lost answer makes a client send again.
        for (CapturedRequest request : posts.subList(0, 10)) {
            assertThat(post(request).statusCode()).isEqualTo(202);
        }

        try (var mongo = MongoClients.create(pipeline.infrastructure().mongoUri())) {
            var database = mongo.getDatabase("track");
            await().atMost(Duration.ofSeconds(60)).until(() -> database.getCollection("performance").countDocuments() == 48
                    && database.getCollection("error").countDocuments() == 8
                    && database.getCollection("white-screen").countDocuments() == 14
                    && database.getCollection("http").countDocuments() == 9
                    && database.getCollection("resource").countDocuments() == 5
                    && database.getCollection("record-screen").countDocuments() == 5);
            Document replay = database.getCollection("record-screen").find(Filters.eq("recordScreenId",
                    "18ca99af-bbca-44ce-b04f-c505dd74c23d")).first();
            assertThat(replay.getString("events")).startsWith("H4sI");
        }

        String overview = await().atMost(Duration.ofSeconds(60)).until(
                () -> get(pipeline.url("consumer-aggregator") + "/api/metrics/overview?apikey=demo-project&window=1h"),
                body -> body.contains("\"events\":89"));
        assertThat(overview).contains("\"errors\":22", "\"sessions\":6", "\"whiteScreens\":9", "\"performance\":48");

        try (var redis = new JedisPooled(pipeline.infrastructure().redis().host(), pipeline.infrastructure().redis().port())) {
            long minute = Instant.now().toEpochMilli() / 60_000;
            long counted = 0;
            for (long bucket = minute - 5; bucket <= minute; bucket++) {
                String events = redis.hget("track:{demo-project}:m:" + bucket, "events");
                counted += events == null ? 0 : Long.parseLong(events);
            }
            assertThat(counted).isEqualTo(89);
        }

        String errors = get(pipeline.url("consumer-writer") + "/api/errors/list?apikey=demo-project&pageSize=100");
        // JavaScript errors and rejections (8), failed resources (5), failed XHR and fetch calls (9).
        assertThat(errors).contains("\"total\":22", "Uncaught Error: Order list render failed: items is empty");
    }

    @Test
    @Order(2)
    void aNewEventIsVisibleThroughBothReadApisSoonAfterThe202() throws Exception {
        String body = fixtures.first("error").body().replace("\"time\":1795642106952", "\"time\":1795642199999");
        CapturedRequest fresh = new CapturedRequest("POST", "/reportData", "text/plain;charset=UTF-8", null, body);
        long posted = System.nanoTime();

        assertThat(post(fresh).statusCode()).isEqualTo(202);

        await().atMost(Duration.ofSeconds(30)).until(() -> get(pipeline.url("consumer-writer")
                + "/api/errors/list?apikey=demo-project&startTime=1795642199999&endTime=1795642199999"), text -> text.contains("\"total\":1"));
        long storedMillis = (System.nanoTime() - posted) / 1_000_000;
        // Reported, not asserted: timing belongs to the benchmark, not to tests.
        System.out.println("end-to-end: 202 to visible in /api/errors/list in " + storedMillis + " ms");
    }

    @Test
    @Order(3)
    void rebuildingBothStoresFromTheTopicsLeavesThemExactlyAsTheyWere() throws Exception {
        awaitBothConsumersCaughtUp();
        Map<String, List<Object>> documentsBefore = documentIds();
        List<String> metricsBefore = metricAnswers();
        assertThat(documentsBefore.values().stream().mapToInt(List::size).sum()).isGreaterThanOrEqualTo(89);

        pipeline.stop("consumer-writer");
        pipeline.stop("consumer-aggregator");
        for (String target : List.of("writer", "aggregator")) {
            java.io.StringWriter out = new java.io.StringWriter();
            int exit = dev.trackpipeline.replay.ReplayCommand.commandLine().setOut(new java.io.PrintWriter(out))
                    .execute("rebuild", "--target", target, "--from", "0", "--bootstrap-servers", pipeline.infrastructure().kafkaBootstrapServers());
            assertThat(exit).as(out.toString()).isZero();
            assertThat(out.toString()).containsPattern("moved track-" + target + " back to 1970-01-01T00:00:00Z: \\d{2,} records will be re-read");
        }
        pipeline.start("consumer-writer", "consumer-aggregator");
        awaitBothConsumersCaughtUp();

        assertThat(documentIds()).isEqualTo(documentsBefore);
        assertThat(metricAnswers()).isEqualTo(metricsBefore);
    }

    @Test
    @Order(4)
    void killingTheConsumersMidStreamLosesAndDuplicatesNothing() throws Exception {
        awaitBothConsumersCaughtUp();
        long eventsBefore = countedEvents();
        List<String> templates = fixtures.posts().stream().map(CapturedRequest::body).filter(body -> body.length() < 12_000).toList();
        java.util.Set<String> accepted = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicInteger sent = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        // where sending stops: not before both kills are done and 200 more events have followed the last
        java.util.concurrent.atomic.AtomicInteger end = new java.util.concurrent.atomic.AtomicInteger(Integer.MAX_VALUE);
        // four clients at once, as pages send: one sending after another's answer would wait on the
        // broker's acknowledgements far longer than the pipeline works
        int clients = 4;
        var sender = java.util.concurrent.Executors.newFixedThreadPool(clients);
        List<java.util.concurrent.Future<Object>> sending = new java.util.ArrayList<>();
        for (int client = 0; client < clients; client++) {
            sending.add(sender.submit(() -> {
                for (int i = next.getAndIncrement(); i < end.get(); i = next.getAndIncrement()) {
                    String body = templates.get(i % templates.size())
                            .replaceFirst("\"uuid\":\"[^\"]+\"", "\"uuid\":\"crash-" + i + "\"");
                    CapturedRequest request = new CapturedRequest("POST", "/reportData", "text/plain;charset=UTF-8", null, body);
                    HttpResponse<String> response = post(request);
                    // the address's 100 requests/s: sent again after the wait the gateway names, as a client should
                    for (int retry = 0; response.statusCode() == 429 && retry < 100; retry++) {
                        Thread.sleep(1000L * response.headers().firstValueAsLong("Retry-After").orElse(1));
                        response = post(request);
                    }
                    if (response.statusCode() == 202) {
                        accepted.add(dev.trackpipeline.model.ingest.EventIds.fromContent(body.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                    }
                    sent.incrementAndGet();
                }
                return null;
            }));
        }

        for (int crash = 0; crash < 2; crash++) {
            int target = 300 + crash * 500;
            await().atMost(Duration.ofSeconds(120)).until(() -> sent.get() >= target);
            pipeline.kill("consumer-writer");
            pipeline.kill("consumer-aggregator");
            pipeline.start("consumer-writer", "consumer-aggregator");
        }
        end.set(Math.max(1500, next.get() + 200));
        for (var client : sending) {
            client.get(5, java.util.concurrent.TimeUnit.MINUTES);
        }
        sender.shutdown();
        awaitBothConsumersCaughtUp();

        int posted = sent.get();
        assertThat(posted).isGreaterThanOrEqualTo(1500);
        assertThat(accepted).hasSize(posted);
        try (var mongo = MongoClients.create(pipeline.infrastructure().mongoUri())) {
            long stored = 0;
            java.util.Set<Object> ids = new java.util.HashSet<>();
            for (String collection : TestPipelines.COLLECTIONS) {
                for (Document document : mongo.getDatabase("track").getCollection(collection).find(Filters.regex("uuid", "^crash-"))) {
                    stored++;
                    ids.add(document.get("_id"));
                }
            }
            assertThat(stored).isEqualTo(accepted.size());
            assertThat(ids).isEqualTo(new java.util.HashSet<Object>(accepted));
        }
        assertThat(countedEvents()).isEqualTo(eventsBefore + accepted.size());
        System.out.println("kill -9 under load: " + posted + " posted, " + accepted.size() + " accepted, 2 crashes of writer and aggregator, "
                + "all stored once and counted once");
    }

    @Test
    @Order(5)
    void theGrafanaDashboardAsksOnlyForMetricsTheRunningServicesExpose() throws Exception {
        // A record without the gateway's headers: both consumers dead-letter it, so that metric exists too.
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, String>(Map.of(
                "bootstrap.servers", pipeline.infrastructure().kafkaBootstrapServers(), "acks", "all"),
                new org.apache.kafka.common.serialization.StringSerializer(), new org.apache.kafka.common.serialization.StringSerializer())) {
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>("track.error", "{\"type\":\"error\"}")).get();
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> scrape("consumer-writer").names().contains("track_consume_dead_lettered_total")
                && scrape("consumer-aggregator").names().contains("track_consume_dead_lettered_total"));

        List<PrometheusSamples> scrapes = new java.util.ArrayList<>();
        java.util.Set<String> dashboardMetrics = GrafanaDashboard.load().metrics();

        // Micrometer picks up a Kafka client's new metrics (per-partition lag) on its next refresh, up to a minute later.
        await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
            scrapes.clear();
            java.util.Set<String> exposed = new java.util.TreeSet<>();
            for (String service : List.of("gateway", "consumer-writer", "consumer-aggregator")) {
                PrometheusSamples scrape = scrape(service);
                scrapes.add(scrape);
                exposed.addAll(scrape.names());
            }
            assertThat(exposed).containsAll(dashboardMetrics);
        });
        // Bounded labels: no metric of ours is labelled with an apikey, a session or a page, and each has few series.
        for (PrometheusSamples scrape : scrapes) {
            scrape.samples().keySet().stream().filter(series -> series.startsWith("track_")).forEach(series ->
                    assertThat(series).doesNotContain("demo-project", "crash-", "http://", "/reportData"));
            java.util.Map<String, Long> seriesPerMetric = scrape.samples().keySet().stream().filter(series -> series.startsWith("track_"))
                    .collect(java.util.stream.Collectors.groupingBy(series -> series.substring(0, series.indexOf('{')),
                            java.util.stream.Collectors.counting()));
            assertThat(seriesPerMetric).allSatisfy((metric, count) -> assertThat(count).as(metric).isLessThanOrEqualTo(200));
        }
    }

    private static PrometheusSamples scrape(String service) throws Exception {
        return PrometheusSamples.parse(get(pipeline.managementUrl(service) + "/actuator/prometheus"));
    }

    private static long countedEvents() throws Exception {
        return TestPipelines.countedEvents(pipeline, "demo-project", "demo-read-token");
    }

    /** Every stored document's id, per collection, in order. */
    private static Map<String, List<Object>> documentIds() {
        try (var mongo = MongoClients.create(pipeline.infrastructure().mongoUri())) {
            Map<String, List<Object>> ids = new java.util.TreeMap<>();
            for (String collection : TestPipelines.COLLECTIONS) {
                List<Object> inCollection = new java.util.ArrayList<>();
                mongo.getDatabase("track").getCollection(collection).find().sort(new Document("_id", 1))
                        .forEach(document -> inCollection.add(document.get("_id")));
                ids.put(collection, inCollection);
            }
            return ids;
        }
    }

    /** What the metrics API answers over the last day: counts, sessions, vitals, top errors. */
    private static List<String> metricAnswers() throws Exception {
        String base = pipeline.url("consumer-aggregator") + "/api/metrics/";
        List<String> answers = new java.util.ArrayList<>();
        for (String query : List.of("overview?apikey=demo-project&window=24h", "vitals?apikey=demo-project&window=24h",
                "top-errors?apikey=demo-project&window=24h&limit=100")) {
            answers.add(get(base + query).replaceAll("\"(from|to)\":\\d+,", ""));
        }
        return answers;
    }

    /** Inside a Spring Boot jar lz4-java would not pick its native build on its own (see NativeLz4). */
    @Test
    @Order(6)
    void everyServiceCompressesAndDecompressesWithTheNativeLz4Codec() throws Exception {
        for (String service : List.of("gateway", "consumer-writer", "consumer-aggregator")) {
            assertThat(Files.readString(pipeline.log(service))).as(service)
                    .contains("Kafka's lz4 codec: LZ4Factory:JNI, checksum XXHashFactory:JNI");
        }
    }

    /**
     * A service refused at start says why where the failure is read: a test's or a supervisor's
     * log outlives the temporary directory that held the service's own log only by what it quotes.
     */
    @Test
    @Order(7)
    void aServiceThatRefusesToStartSaysWhyInTheFailureItself() throws Exception {
        Path home = Path.of(System.getProperty("track.home", ".."));
        ServicePorts.Ports ports = ServicePorts.Ports.free();
        Map<String, String> environment = new java.util.LinkedHashMap<>(pipeline.infrastructure().environment());
        environment.put("TRACK_PROJECTS_FILE", home.resolve("config/projects.yml").toAbsolutePath().toString());
        environment.putAll(Service.GATEWAY.environment(ports));
        // production's durability, on the single embedded broker
        environment.put("TRACK_TOPICS_REPLICATION_FACTOR", "3");
        environment.put("TRACK_TOPICS_MIN_INSYNC_REPLICAS", "2");
        Path jar = home.resolve("gateway/target/gateway-exec.jar");

        try (ServiceProcess refused = ServiceProcess.start("gateway-refused", jar, ports.api(), ports.management(), environment,
                TestPipelines.SERVICE_JVM_OPTIONS, dataDir.resolve("refused-logs"))) {
            assertThatThrownBy(() -> refused.awaitHealthy(Duration.ofSeconds(120)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("gateway-refused exited with code 1; see ")
                    .hasMessageContaining("Kafka has 1 broker, fewer than the 3 copies of each partition "
                            + "track.topics.replication-factor asks for");
        }
    }

    private static void awaitBothConsumersCaughtUp() {
        TestPipelines.awaitBothConsumersCaughtUp(pipeline);
    }

    private static HttpResponse<String> post(CapturedRequest request) throws Exception {
        return TestPipelines.post(pipeline, request);
    }

    private static String get(String url) throws Exception {
        return TestPipelines.get(url);
    }
}
