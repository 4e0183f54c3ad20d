package dev.trackpipeline.aggregator;

import dev.trackpipeline.infra.testing.KafkaTestRecords;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.trackpipeline.aggregator.metrics.MetricKeys;
import dev.trackpipeline.aggregator.metrics.MetricKeys.Resolution;
import dev.trackpipeline.aggregator.metrics.RedisConnections;
import dev.trackpipeline.infra.EmbeddedInfrastructure;
import dev.trackpipeline.model.fixtures.FixtureRecords;
import dev.trackpipeline.model.fixtures.FixtureRecords.FixtureRecord;
import dev.trackpipeline.model.fixtures.WebSeeFixtures;
import dev.trackpipeline.model.kafka.TrackHeaders;
import dev.trackpipeline.model.metrics.PrometheusSamples;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class MetricsIntegrationTest {

    static final EmbeddedInfrastructure infra = EmbeddedInfrastructure.startForTests();
    static final WebSeeFixtures fixtures = WebSeeFixtures.load();
    static final List<String> EVENT_TOPICS = List.of("track.error", "track.resource", "track.http", "track.performance",
            "track.white-screen", "track.record-screen", "track.custom");

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", infra::kafkaBootstrapServers);
        registry.add("track.aggregator.redis.host", () -> infra.redis().host());
        registry.add("track.aggregator.redis.port", () -> infra.redis().port());
        registry.add("track.projects-file", () -> FixtureRecords.testProjectsFile().toString());
        registry.add("track.aggregator.max-pages-per-project", () -> MAX_PAGES);
        registry.add("track.aggregator.max-pages-per-minute-bucket", () -> MAX_PAGES);
    }

    /** Pages per bucket, minute and hour: more than the fixtures' nine pages with vitals, fewer than the twelve of the cap test. */
    static final int MAX_PAGES = 10;
    /** A page's histograms are on the coarse scale (γ = 1.25): its percentiles are within (γ-1)/(γ+1) = 11.1 %, the project's within 1 %. */
    static final double PAGE_ERROR = 1 / 9.0;

    @AfterAll
    static void stopInfrastructure() {
        infra.close();
    }

    @Autowired
    RedisConnections redis;

    @Autowired
    KafkaListenerEndpointRegistry listeners;

    @Value("${local.server.port}")
    int port;

    @Value("${local.management.port}")
    int managementPort;

    private final HttpClient http = HttpClient.newHttpClient();
    private final JsonMapper json = JsonMapper.builder().build();

    @BeforeEach
    void consumeEverythingThenStartFromEmptyCounters() throws Exception {
        awaitNothingLeftToConsume();
        redis.client().flushDB();
    }

    @Test
    void countsEveryEventTheRealSdkSentExactlyOnceEvenWhenTheClientSendsItAgain() throws Exception {
        List<FixtureRecord> records = fixtures.posts().stream().map(request -> FixtureRecords.of(request, Instant.now())).toList();
        PrometheusSamples before = PrometheusSamples.parse(management("/actuator/prometheus", null).body());

        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), records);
        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), records);
        awaitNothingLeftToConsume();

        JsonNode overview = overview("1h");
        assertThat(overview.get("events").longValue()).isEqualTo(89);
        assertThat(json.convertValue(overview.get("byType"), Map.class)).isEqualTo(Map.of(
                "performance", 48, "whiteScreen", 14, "error", 6, "unhandledrejection", 2, "resource", 5,
                "xhr", 6, "fetch", 3, "recordScreen", 5));
        assertThat(overview.get("errors").longValue()).isEqualTo(22);
        assertThat(overview.get("errorRate").doubleValue()).isEqualTo(22.0 / 89);
        assertThat(overview.get("sessions").longValue()).isEqualTo(6);
        assertThat(overview.get("whiteScreenChecks").longValue()).isEqualTo(14);
        assertThat(overview.get("whiteScreens").longValue()).isEqualTo(9);
        String metrics = management("/actuator/prometheus", null).body();
        PrometheusSamples after = PrometheusSamples.parse(metrics);
        String performance = "{application=\"consumer-aggregator\",family=\"performance\",group=\"track-aggregator\"";
        assertThat(after.increaseSince(before, "track_consume_events_total" + performance + ",outcome=\"counted\"}")).isEqualTo(48);
        assertThat(after.increaseSince(before, "track_consume_events_total" + performance + ",outcome=\"duplicate\"}")).isEqualTo(48);
        assertThat(after.increaseSince(before, "track_consume_end_to_end_seconds_count" + performance + "}")).isEqualTo(96);
        assertThat(metrics).contains("track_consume_write_seconds_count{application=\"consumer-aggregator\",family=\"all\",group=\"track-aggregator\"}",
                "track_consume_batch_events_count",
                "kafka_consumer_fetch_manager_records_lag");
    }

    @Test
    void computesWebVitalsPercentilesAndKeepsMeasurementErrorsOut() throws Exception {
        KafkaTestRecords.produce(infra.kafkaBootstrapServers(),
                fixtures.ofType("performance").stream().map(request -> FixtureRecords.of(request, Instant.now())).toList());
        awaitNothingLeftToConsume();

        JsonNode vitals = read("/api/metrics/vitals?apikey=demo-project&window=1h");
        JsonNode lcp = vitals.get("LCP");
        JsonNode fsp = vitals.get("FSP");

        assertThat(lcp.get("samples").longValue()).isEqualTo(5);
        assertThat(lcp.get("p50").doubleValue()).isCloseTo(588, within(588 * 0.01));
        assertThat(lcp.get("p75").doubleValue()).isCloseTo(1152, within(1152 * 0.01));
        assertThat(lcp.get("p95").doubleValue()).isCloseTo(1200, within(1200 * 0.01));
        assertThat(lcp.get("rating").stringValue()).isEqualTo("good");
        assertThat(json.convertValue(lcp.get("ratings"), Map.class)).isEqualTo(Map.of("good", 5, "needs-improvement", 0, "poor", 0));
        assertThat(json.convertValue(lcp.get("sdkRatings"), Map.class)).isEqualTo(Map.of("good", 5, "needs-improvement", 0, "poor", 0));
        // The SDK's FSP of about -1.8e12 is a measurement error: counted as invalid, kept out of the percentiles.
        assertThat(fsp.get("samples").longValue()).isEqualTo(3);
        assertThat(fsp.get("invalid").longValue()).isEqualTo(2);
        assertThat(fsp.get("p75").doubleValue()).isCloseTo(553, within(553 * 0.01));
        assertThat(vitals.get("CLS").get("samples").longValue()).isEqualTo(5);
        assertThat(vitals.get("TTFB").get("samples").longValue()).isEqualTo(6);
        assertThat(overview("1h").get("vitals").get("LCP").get("rating").stringValue()).isEqualTo("good");
    }

    @Test
    void computesWebVitalsOfOnePageWithTheSameUrlReductionAsTheSdksPages() throws Exception {
        KafkaTestRecords.produce(infra.kafkaBootstrapServers(),
                fixtures.ofType("performance").stream().map(request -> FixtureRecords.of(request, Instant.now())).toList());
        awaitNothingLeftToConsume();

        // Both origins' /shop/ are one page; query and host do not matter.
        JsonNode shop = read("/api/metrics/vitals?apikey=demo-project&window=1h&pageUrl="
                + URLEncoder.encode("https://example.test/shop/?campaign=1", StandardCharsets.UTF_8));
        JsonNode settings = read("/api/metrics/vitals?apikey=demo-project&window=1h&pageUrl="
                + URLEncoder.encode("http://127.0.0.1:8080/admin/#/settings", StandardCharsets.UTF_8));
        JsonNode unknown = read("/api/metrics/vitals?apikey=demo-project&window=1h&pageUrl=/nowhere/");

        assertThat(shop.get("LCP").get("samples").longValue()).isEqualTo(2);
        assertThat(shop.get("LCP").get("p50").doubleValue()).isCloseTo(1152, within(1152 * PAGE_ERROR));
        assertThat(shop.get("LCP").get("p75").doubleValue()).isCloseTo(1200, within(1200 * PAGE_ERROR));
        assertThat(json.convertValue(shop.get("LCP").get("ratings"), Map.class)).isEqualTo(Map.of("good", 2, "needs-improvement", 0, "poor", 0));
        assertThat(shop.get("TTFB").get("samples").longValue()).isEqualTo(2);
        assertThat(shop.get("TTFB").get("p75").doubleValue()).isCloseTo(24.6, within(24.6 * PAGE_ERROR));
        assertThat(settings.get("LCP").get("samples").longValue()).isEqualTo(1);
        assertThat(settings.get("LCP").get("p75").doubleValue()).isCloseTo(216, within(216 * PAGE_ERROR));
        assertThat(settings.has("TTFB")).isFalse();
        assertThat(unknown.size()).isZero();
    }

    /**
     * The twelve pages are measured once each, in order: /p11/ and /p12/ find the buckets full and
     * each takes the place of a page of the lowest rank, all tied at one measurement, so of the
     * first by name: /p1/, then /p10/, whose vitals count as (other).
     */
    @Test
    void keepsAtMostTheConfiguredNumberOfPagesApartAndCountsTheRestAsOther() throws Exception {
        Instant now = Instant.now();
        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), lcpOnPages(12, page -> 100 * page, now));
        awaitNothingLeftToConsume();

        // Pages are kept apart per bucket: the minute's and the hour's ranks are each full.
        assertThat(redis.client().zcard(MetricKeys.pageRanks("demo-project", Resolution.MINUTE, Resolution.MINUTE.bucketOf(now)))).isEqualTo(MAX_PAGES);
        assertThat(redis.client().zcard(MetricKeys.pageRanks("demo-project", Resolution.HOUR, Resolution.HOUR.bucketOf(now)))).isEqualTo(MAX_PAGES);
        assertThat(read("/api/metrics/vitals?apikey=demo-project&window=1h&pageUrl=/p12/").get("LCP").get("samples").longValue()).isEqualTo(1);
        assertThat(read("/api/metrics/vitals?apikey=demo-project&window=1h&pageUrl=/p10/").size()).isZero();
        JsonNode other = read("/api/metrics/vitals?apikey=demo-project&window=1h&pageUrl=(other)").get("LCP");
        assertThat(other.get("samples").longValue()).isEqualTo(2);
        assertThat(other.get("p95").doubleValue()).isCloseTo(1000, within(1000 * PAGE_ERROR));
        assertThat(other.get("p50").doubleValue()).isCloseTo(100, within(100 * PAGE_ERROR));
        assertThat(read("/api/metrics/vitals?apikey=demo-project&window=1h").get("LCP").get("samples").longValue()).isEqualTo(12);
    }

    @Test
    void ranksPagesByTheP75OfAVitalSlowestFirstWithThePagesBeyondTheCapAsOne() throws Exception {
        // /pN/ has an LCP of 400·1.3^N ms (/p9/ 4,242, /p12/ 9,319): each 1.3 times the one before, more than a
        // page histogram's bucket (1.25), so no two tie. /p1/ and /p10/ gave their places to /p11/ and /p12/ and count as (other).
        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), lcpOnPages(12, page -> Math.round(400 * Math.pow(1.3, page)), Instant.now()));
        awaitNothingLeftToConsume();

        JsonNode slowest = read("/api/metrics/pages?apikey=demo-project&window=1h&vital=LCP&limit=4");

        assertThat(slowest).hasSize(4);
        assertThat(slowest.findValuesAsString("page")).containsExactly("/p12/", "/p11/", "(other)", "/p9/");
        assertThat(slowest.get(0).get("p75").doubleValue()).isCloseTo(9319, within(9319 * PAGE_ERROR));
        assertThat(slowest.get(2).get("samples").longValue()).isEqualTo(2);
        assertThat(slowest.get(2).get("p75").doubleValue()).isCloseTo(5514, within(5514 * PAGE_ERROR));
        assertThat(slowest.findValuesAsString("rating")).containsExactly("poor", "poor", "poor", "poor");
        assertThat(read("/api/metrics/pages?apikey=demo-project&window=1h&vital=INP")).isEmpty();
        HttpResponse<String> unknownVital = get("/api/metrics/pages?apikey=demo-project&vital=SPEED", "demo-read-token");
        assertThat(unknownVital.statusCode()).isEqualTo(400);
        assertThat(unknownVital.body()).contains("vital: expected one of [LCP, INP, CLS, FCP, TTFB, FID, FSP], got \\\"SPEED\\\"");
    }

    /**
     * One LCP event on each of the pages /p1/ to /p{count}/, the value of /pN/ being
     * {@code millisOfPage} of N, all received at once and in order (one session, so one partition): in one bucket.
     */
    private static List<FixtureRecord> lcpOnPages(int count, java.util.function.IntToLongFunction millisOfPage, Instant receivedAt) {
        String session = java.util.UUID.randomUUID().toString();
        List<FixtureRecord> records = new java.util.ArrayList<>();
        for (int page = 1; page <= count; page++) {
            records.add(FixtureRecords.of(new WebSeeFixtures.CapturedRequest("POST", "/reportData", "application/json", null,
                    "{\"type\":\"performance\",\"name\":\"LCP\",\"value\":" + millisOfPage.applyAsLong(page) + ",\"rating\":\"good\",\"time\":1795642100000,"
                            + "\"apikey\":\"demo-project\",\"uuid\":\"" + session + "\",\"pageUrl\":\"http://127.0.0.1:8080/p" + page + "/\"}"),
                    receivedAt));
        }
        return records;
    }

    @Test
    void reportsTheLatestAndLargestUsedHeapWhateverOrderTheSamplesArriveIn() throws Exception {
        Instant now = Instant.now();
        List<WebSeeFixtures.CapturedRequest> samples = fixtures.ofType("performance").stream()
                .filter(request -> request.body().contains("\"name\":\"memory\"")).toList();
        List<FixtureRecord> records = new java.util.ArrayList<>();
        for (int i = 0; i < samples.size(); i++) {
            // The /admin/ sample (the smallest heap) is sent first but received last.
            boolean admin = samples.get(i).body().contains("/admin/");
            records.add(FixtureRecords.of(samples.get(i), admin ? now : now.minusSeconds(10 + i)));
        }
        records.sort(java.util.Comparator.comparing(record -> !new String(record.value(), StandardCharsets.UTF_8).contains("/admin/")));

        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), records);
        awaitNothingLeftToConsume();

        JsonNode memory = read("/api/metrics/performance?apikey=demo-project&window=1h").get("memory");
        assertThat(samples).hasSize(6);
        assertThat(memory.get("samples").longValue()).isEqualTo(6);
        assertThat(memory.get("maxUsedBytes").longValue()).isEqualTo(3361695);
        assertThat(memory.get("lastUsedBytes").longValue()).isEqualTo(2936963);
        assertThat(memory.get("invalid").longValue()).isZero();
    }

    @Test
    void givesEveryKeyItWritesAnExpiry() throws Exception {
        KafkaTestRecords.produce(infra.kafkaBootstrapServers(),
                fixtures.posts().stream().map(request -> FixtureRecords.of(request, Instant.now())).toList());
        awaitNothingLeftToConsume();

        java.util.Set<String> keys = redis.client().keys("track:*");
        // A bucket's page ranks end in ":page-rank", its pages' hashes carry ":page:<page>".
        assertThat(keys).hasSizeGreaterThan(20)
                .anyMatch(key -> key.endsWith(":page" + MetricKeys.RANK_SUFFIX)).anyMatch(key -> key.contains(":progress:"))
                .anyMatch(key -> key.endsWith(":errors" + MetricKeys.RANK_SUFFIX))
                .anyMatch(key -> key.contains(":page:")).anyMatch(key -> key.endsWith(":memory"))
                .anyMatch(key -> key.endsWith(":errors" + MetricKeys.SAMPLES_SUFFIX))
                .anyMatch(key -> key.equals(MetricKeys.dedupSlices("demo-project"))).anyMatch(key -> key.contains(":dedup:"));
        assertThat(keys).allSatisfy(key -> assertThat(redis.client().ttl(key)).as(key).isPositive());
    }

    @Test
    void reportsLongTasksResourceDurationsAndFailingRequests() throws Exception {
        KafkaTestRecords.produce(infra.kafkaBootstrapServers(),
                fixtures.posts().stream().map(request -> FixtureRecords.of(request, Instant.now())).toList());
        awaitNothingLeftToConsume();

        JsonNode costs = read("/api/metrics/performance?apikey=demo-project&window=1h");

        assertThat(costs.get("longTasks").get("count").longValue()).isEqualTo(5);
        assertThat(costs.get("longTasks").get("totalMs").longValue()).isEqualTo(917);
        JsonNode resources = costs.get("resources");
        assertThat(resources.get("samples").longValue()).isEqualTo(213);
        assertThat(resources.get("p50").doubleValue()).isCloseTo(342.9, within(342.9 * 0.01));
        assertThat(resources.get("p75").doubleValue()).isCloseTo(451.8, within(451.8 * 0.01));
        assertThat(resources.get("p95").doubleValue()).isCloseTo(530.3, within(530.3 * 0.01));
        JsonNode failures = costs.get("httpFailures");
        assertThat(failures).hasSize(8);
        assertThat(failures.get(0).get("request").stringValue()).isEqualTo("GET /api/orders/:id");
        assertThat(failures.get(0).get("count").longValue()).isEqualTo(2);
        long failing = 0;
        for (JsonNode failure : failures) {
            failing += failure.get("count").longValue();
        }
        assertThat(failing).isEqualTo(9);
    }

    @Test
    void listsTheLargestErrorGroupsWithASampleOfEach() throws Exception {
        List<FixtureRecord> records = fixtures.posts().stream().map(request -> FixtureRecords.of(request, Instant.now())).toList();
        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), records);
        awaitNothingLeftToConsume();

        JsonNode top = read("/api/metrics/top-errors?apikey=demo-project&window=1h&limit=3");

        assertThat(top).hasSize(3);
        assertThat(top.get(0).get("title").stringValue()).isEqualTo("Uncaught Error: Order list render failed: items is empty (app.js:4:38)");
        assertThat(top.get(0).get("count").longValue()).isEqualTo(2);
        assertThat(top.get(0).get("type").stringValue()).isEqualTo("error");
        assertThat(records).extracting(FixtureRecord::eventId).contains(top.get(0).get("sampleEventId").stringValue());
        // The fixtures' 22 error events form 20 groups (7 JS errors and rejections, 8 XHR/fetch failures, 5 resources).
        JsonNode all = read("/api/metrics/top-errors?apikey=demo-project&window=1h&limit=100");
        long counted = 0;
        for (JsonNode group : all) {
            counted += group.get("count").longValue();
        }
        assertThat(all).hasSize(20);
        assertThat(counted).isEqualTo(22);
        assertThat(get("/api/metrics/top-errors?apikey=demo-project&limit=0", "demo-read-token").statusCode()).isEqualTo(400);
    }

    @Test
    void drawsAMetricOverTimeInStepsOfTheWindowsBuckets() throws Exception {
        Instant now = Instant.now();
        Instant twentyMinutesAgo = now.minus(Duration.ofMinutes(20));
        List<FixtureRecord> earlier = fixtures.ofType("error").stream().map(request -> FixtureRecords.of(request, twentyMinutesAgo)).toList();
        List<FixtureRecord> recent = fixtures.ofType("whiteScreen").stream().map(request -> FixtureRecords.of(request, now)).toList();
        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), earlier);
        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), recent);
        awaitNothingLeftToConsume();

        JsonNode events = read("/api/metrics/timeseries?apikey=demo-project&metric=events&window=1h&step=10m");
        JsonNode errors = read("/api/metrics/timeseries?apikey=demo-project&metric=type:error&window=1h&step=1m");
        JsonNode sessions = read("/api/metrics/timeseries?apikey=demo-project&metric=sessions&window=1h&step=1h");

        assertThat(events.get("points").size()).isBetween(6, 7);
        long stepOfEarlier = Math.floorDiv(twentyMinutesAgo.toEpochMilli(), 600_000L) * 600_000L;
        long stepOfRecent = Math.floorDiv(now.toEpochMilli(), 600_000L) * 600_000L;
        Map<Long, Long> byStep = new HashMap<>();
        events.get("points").forEach(point -> byStep.put(point.get("t").longValue(), point.get("value").longValue()));
        assertThat(byStep).containsEntry(stepOfEarlier, 6L).containsEntry(stepOfRecent, 14L);
        assertThat(byStep.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(20);
        assertThat(errors.get("points")).hasSize(60);
        long errorSum = 0;
        for (JsonNode point : errors.get("points")) {
            errorSum += point.get("value").longValue();
        }
        assertThat(errorSum).isEqualTo(6);
        assertThat(sessions.get("points").get(sessions.get("points").size() - 1).get("value").longValue()).isPositive();
        assertThat(get("/api/metrics/timeseries?apikey=demo-project&metric=cpu", "demo-read-token").statusCode()).isEqualTo(400);
        assertThat(get("/api/metrics/timeseries?apikey=demo-project&window=1h&step=90s", "demo-read-token").body())
                .contains("step: expected a duration such as 15m");
        assertThat(get("/api/metrics/timeseries?apikey=demo-project&window=24h&step=30m", "demo-read-token").body())
                .contains("step: must be a whole number of hours and at most the window");
        assertThat(get("/api/metrics/timeseries?apikey=demo-project&window=3d&step=12h", "demo-read-token").body())
                .contains("step: must be a whole number of days and at most the window");
    }

    @Test
    void drawsSeveralMetricsAsColumnsWithTheValuesEachHasAlone() throws Exception {
        Instant now = Instant.now();
        KafkaTestRecords.produce(infra.kafkaBootstrapServers(),
                fixtures.ofType("error").stream().map(request -> FixtureRecords.of(request, now.minus(Duration.ofMinutes(20)))).toList());
        KafkaTestRecords.produce(infra.kafkaBootstrapServers(),
                fixtures.ofType("whiteScreen").stream().map(request -> FixtureRecords.of(request, now)).toList());
        awaitNothingLeftToConsume();
        List<String> metrics = List.of("events", "type:error", "sessions", "whiteScreens", "status:ok");

        JsonNode columns = read("/api/metrics/series?apikey=demo-project&metrics=" + String.join(",", metrics) + "&window=1h&step=10m");

        assertThat(columns.get("step").asString()).isEqualTo("10m");
        for (String metric : metrics) {
            JsonNode alone = read("/api/metrics/timeseries?apikey=demo-project&metric=" + metric + "&window=1h&step=10m");
            List<Long> times = new java.util.ArrayList<>();
            List<Long> values = new java.util.ArrayList<>();
            alone.get("points").forEach(point -> {
                times.add(point.get("t").longValue());
                values.add(point.get("value").longValue());
            });
            assertThat(columns.get("t").valueStream().map(JsonNode::longValue).toList()).as(metric).isEqualTo(times);
            assertThat(columns.get("values").get(metric).valueStream().map(JsonNode::longValue).toList()).as(metric).isEqualTo(values);
        }
        assertThat(columns.get("values").get("events").valueStream().mapToLong(JsonNode::longValue).sum()).isEqualTo(20);
        assertThat(get("/api/metrics/series?apikey=demo-project&metrics=events,cpu", "demo-read-token").body())
                .contains("metrics: expected one of [events, errors, sessions, whiteScreens], type:<event type> or")
                .contains("got \\\"cpu\\\"");
        assertThat(get("/api/metrics/series?apikey=demo-project&metrics=" + String.join(",", java.util.Collections.nCopies(41, "events")), "demo-read-token").body())
                .contains("metrics: expected 1 to 40 metrics, got 41");
        assertThat(get("/api/metrics/series?apikey=demo-project&metrics=events", "shop-read-token").statusCode()).isEqualTo(403);
    }

    @Test
    void replayingThePartitionsCountsNothingTwice() throws Exception {
        // Where this test's records begin: earlier tests' records were counted into a Redis that
        // has since been emptied, so replaying those would rightly count them again.
        Map<TopicPartition, OffsetAndMetadata> beforeThisTest = committed();
        List<FixtureRecord> records = fixtures.posts().stream().map(request -> FixtureRecords.of(request, Instant.now())).toList();
        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), records);
        awaitNothingLeftToConsume();
        JsonNode before = overview("1h");
        // Forget every re-send id: only the progress markers can tell the replayed records now.
        redis.client().del(redis.client().keys("track:{demo-project}:dedup*").toArray(String[]::new));

        rewindAggregatorTo(beforeThisTest);
        awaitNothingLeftToConsume();

        // The window's bounds move on if a minute ends meanwhile; its counts must not.
        assertThat(withoutBounds(overview("1h"))).isEqualTo(withoutBounds(before));
        assertThat(before.get("events").longValue()).isEqualTo(89);
    }

    private static JsonNode withoutBounds(JsonNode overview) {
        ObjectNode counts = (ObjectNode) overview.deepCopy();
        counts.remove(List.of("from", "to"));
        return counts;
    }

    @Test
    void bucketsByTheGatewaysReceivedAtNotTheBrowserClock() throws Exception {
        FixtureRecord twoHoursAgo = FixtureRecords.of(fixtures.first("error"), Instant.now().minus(Duration.ofHours(2)));

        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), List.of(twoHoursAgo));
        awaitNothingLeftToConsume();

        assertThat(overview("1h").get("events").longValue()).isZero();
        assertThat(overview("3h").get("events").longValue()).isEqualTo(1);
        assertThat(overview("3d").get("events").longValue()).isEqualTo(1);
    }

    @Test
    void deadLettersAnInvalidRecordAndCountsItsNeighbours() throws Exception {
        FixtureRecord valid = FixtureRecords.of(fixtures.first("resource"), Instant.now());
        Map<String, String> headers = new HashMap<>(valid.headers());
        headers.put(TrackHeaders.RECEIVED_AT, "soon");
        FixtureRecord invalid = new FixtureRecord("x", "resource", valid.topic(), valid.key(), valid.value(), headers);

        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), List.of(invalid, valid));
        awaitNothingLeftToConsume();

        assertThat(overview("1h").get("events").longValue()).isEqualTo(1);
        assertThat(KafkaTestRecords.readAtLeast(infra.kafkaBootstrapServers(), 1, "track.dead-letter")).anySatisfy(record ->
                assertThat(new String(record.headers().lastHeader(TrackHeaders.DEAD_LETTER_REASON).value(), StandardCharsets.UTF_8))
                        .isEqualTo("header track-received-at: expected epoch milliseconds, got \"soon\""));
    }

    /** The aggregator skips the recordings it counts; a blank one must still be refused, as the writer refuses it. */
    @Test
    void deadLettersAReplayChunkWithABlankRecordingAndCountsTheOthers() throws Exception {
        FixtureRecord valid = FixtureRecords.of(fixtures.first("recordScreen"), Instant.now());
        String blank = new String(valid.value(), StandardCharsets.UTF_8).replaceFirst("\"events\":\"[^\"]*\"", "\"events\":\"  \"");
        Map<String, String> headers = new HashMap<>(valid.headers());
        headers.put(TrackHeaders.EVENT_ID, "blank-recording");
        FixtureRecord invalid = new FixtureRecord("blank-recording", "recordScreen", valid.topic(), valid.key(),
                blank.getBytes(StandardCharsets.UTF_8), headers);

        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), List.of(invalid, valid));
        awaitNothingLeftToConsume();

        assertThat(overview("1h").get("byType").get("recordScreen").longValue()).isEqualTo(1);
        assertThat(KafkaTestRecords.readAll(infra.kafkaBootstrapServers(), "track.dead-letter")).anySatisfy(record -> {
            assertThat(new String(record.headers().lastHeader(TrackHeaders.EVENT_ID).value(), StandardCharsets.UTF_8))
                    .isEqualTo("blank-recording");
            assertThat(new String(record.headers().lastHeader(TrackHeaders.DEAD_LETTER_REASON).value(), StandardCharsets.UTF_8))
                    .isEqualTo("events: must not be empty");
        });
    }

    @Test
    void refusesReadsWithoutTheProjectsTokenAndUnknownWindows() throws Exception {
        assertThat(get("/api/metrics/overview?apikey=demo-project", null).statusCode()).isEqualTo(401);
        assertThat(get("/api/metrics/overview?apikey=demo-project", "shop-read-token").statusCode()).isEqualTo(403);
        HttpResponse<String> badWindow = get("/api/metrics/overview?apikey=demo-project&window=forever", "demo-read-token");
        assertThat(badWindow.statusCode()).isEqualTo(400);
        assertThat(badWindow.body()).isEqualTo("{\"code\":400,\"message\":\"window: expected a duration such as 15m, 1h, 24h or 7d, "
                + "at most 30d, got \\\"forever\\\"\"}");
        assertThat(get("/api/metrics/overview?apikey=demo-project&window=31d", "demo-read-token").statusCode()).isEqualTo(400);
    }

    @Test
    void reportsHealthyWhenRedisAnswersPing() throws Exception {
        assertThat(management("/actuator/health", null).body()).contains("\"status\":\"UP\"");
    }

    /** Ready means counting and answering: the consumer's progress and Redis are part of it, the JVM's state alone is liveness. */
    @Test
    void isReadyWhileItCountsAndRedisAnswers() throws Exception {
        HttpResponse<String> readiness = management("/actuator/health/readiness", null);

        assertThat(readiness.statusCode()).isEqualTo(200);
        assertThat(json.readTree(readiness.body()).get("components").propertyNames())
                .containsExactlyInAnyOrder("consumerProgress", "readinessState", "redisPing");
        assertThat(management("/actuator/health/liveness", null).statusCode()).isEqualTo(200);
    }

    @Test
    void answersHealthAndMetricsOnlyOnTheManagementPort() throws Exception {
        assertThat(managementPort).isNotEqualTo(port);
        assertThat(get("/actuator/health", null).statusCode()).isEqualTo(404);
        assertThat(get("/actuator/prometheus", null).statusCode()).isEqualTo(404);
        assertThat(management("/actuator/env", null).statusCode()).isEqualTo(404);
    }

    @Test
    void offersTheBenchmarksListenerControlsOnlyWhenTheBenchmarkTurnsThemOn() throws Exception {
        assertThat(get("/bench/listeners", null).statusCode()).isEqualTo(404);
        assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/bench/listeners/pause"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
        assertThat(listeners.getListenerContainer("track-aggregator").isPauseRequested()).isFalse();
    }

    private void rewindAggregatorTo(Map<TopicPartition, OffsetAndMetadata> offsets) throws Exception {
        var container = listeners.getListenerContainer("track-aggregator");
        container.stop();
        try (Admin admin = admin()) {
            Map<TopicPartition, OffsetAndMetadata> rewound = new HashMap<>();
            committed(admin).keySet().forEach(partition ->
                    rewound.put(partition, offsets.getOrDefault(partition, new OffsetAndMetadata(0))));
            admin.alterConsumerGroupOffsets("track-aggregator", rewound).all().get(30, TimeUnit.SECONDS);
        }
        container.start();
    }

    private Map<TopicPartition, OffsetAndMetadata> committed() throws Exception {
        try (Admin admin = admin()) {
            return committed(admin);
        }
    }

    /** Waits until the aggregator's committed offset reaches the end of every partition of the event topics. */
    private void awaitNothingLeftToConsume() {
        KafkaTestRecords.awaitConsumed(infra.kafkaBootstrapServers(), "track-aggregator", EVENT_TOPICS);
    }

    private static Map<TopicPartition, OffsetAndMetadata> committed(Admin admin) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>(admin.listConsumerGroupOffsets("track-aggregator")
                .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS));
        offsets.values().removeIf(java.util.Objects::isNull);
        offsets.keySet().removeIf(partition -> !partition.topic().startsWith("track.") || partition.topic().equals("track.dead-letter"));
        return offsets;
    }

    private static Admin admin() {
        return Admin.create(Map.of("bootstrap.servers", infra.kafkaBootstrapServers()));
    }

    private JsonNode read(String path) throws Exception {
        HttpResponse<String> response = get(path, "demo-read-token");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body()).get("data");
    }

    private JsonNode overview(String window) throws Exception {
        HttpResponse<String> response = get("/api/metrics/overview?apikey=demo-project&window=" + window, "demo-read-token");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = json.readTree(response.body());
        assertThat(body.get("code").intValue()).isZero();
        return body.get("data");
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        return get(port, path, token);
    }

    /** Health and metrics answer on the management port only. */
    private HttpResponse<String> management(String path, String token) throws Exception {
        return get(managementPort, path, token);
    }

    private HttpResponse<String> get(int port, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
