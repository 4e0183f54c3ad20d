package dev.trackpipeline.aggregator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.trackpipeline.aggregator.consume.CountingReader;
import dev.trackpipeline.aggregator.metrics.BoundedText;
import dev.trackpipeline.aggregator.metrics.DedupRing;
import dev.trackpipeline.aggregator.metrics.EventCounts;
import dev.trackpipeline.aggregator.metrics.MetricKeys;
import dev.trackpipeline.aggregator.metrics.RedisKeys;
import dev.trackpipeline.aggregator.metrics.RedisMetricsStore;
import dev.trackpipeline.aggregator.metrics.RedisMetricsStore.PartitionUpdates;
import dev.trackpipeline.aggregator.metrics.RedisMetricsStore.RecordUpdates;
import dev.trackpipeline.aggregator.query.MetricWindow;
import dev.trackpipeline.aggregator.query.MetricsReader;
import dev.trackpipeline.aggregator.query.PageCosts.RequestCount;
import dev.trackpipeline.aggregator.query.PageVital;
import dev.trackpipeline.aggregator.query.TopError;
import dev.trackpipeline.infra.EmbeddedRedisServer;
import dev.trackpipeline.infra.InfrastructureSettings;
import dev.trackpipeline.model.errors.ErrorFingerprints;
import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.model.event.EventValidator;
import dev.trackpipeline.model.fixtures.FixtureRecords;
import dev.trackpipeline.model.fixtures.FixtureRecords.FixtureRecord;
import dev.trackpipeline.model.fixtures.WebSeeFixtures;
import dev.trackpipeline.model.fixtures.WebSeeFixtures.CapturedRequest;
import dev.trackpipeline.model.ingest.IngestLimits;
import dev.trackpipeline.model.kafka.EventRecord;
import dev.trackpipeline.model.kafka.EventRecordReader;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisPooled;

/**
 * A project's apikey ships in every page, so anyone can send it anything. 100,000 junk events,
 * each naming a page, an error or a request never seen before, go through {@link EventCounts}
 * and {@link RedisMetricsStore} as the listener sends them (batches of 500) over ten minutes of
 * received-at. The project's real traffic (the real SDK's captured events) arrives with the
 * first batch; after the flood its pages are visited again and the client re-sends all of it.
 * Redis must stay within what the caps allow, and the real data must read back exact.
 */
class JunkCannotGrowRedisTest {

    static final EmbeddedRedisServer server = EmbeddedRedisServer.start(Optional.empty(), "127.0.0.1", InfrastructureSettings.freePort());
    static final JedisPooled redis = new JedisPooled(server.host(), server.port());
    /** The defaults: 500 pages and 500 groups per bucket, 10,000 ids per slice of the dedup ring. */
    static final AggregatorProperties properties = new AggregatorProperties("junk-test", null, Duration.ofHours(1),
            Duration.ofHours(48), Duration.ofDays(30), 500, 500, 10_000);
    static final String APIKEY = "demo-project";
    static final int JUNK = 100_000;
    static final int BATCH = 500;
    static final Instant FLOOD_START = Instant.parse("2026-05-04T10:20:00Z");
    static final Duration FLOOD_LENGTH = Duration.ofMinutes(10);
    static final Instant AFTER_FLOOD = FLOOD_START.plus(FLOOD_LENGTH).plusSeconds(10);
    static final Instant NOW = AFTER_FLOOD.plusSeconds(20);
    /** The flood's ten minute buckets, the minute after it, and their hour. */
    static final int BUCKETS_WRITTEN = 12;
    /** Keys of one bucket besides its page hashes: counters, sessions, errors, samples, LCP's histogram, pages, failing requests. */
    static final int KEYS_PER_BUCKET = 7;
    /** Keys besides the buckets: the dedup ring's slots and the hash of their slices, the progress marker. */
    static final int KEYS_PER_PROJECT = DedupRing.SLICES + 1 + 1 + 1;
    /** The few vitals, white screens, memory and resource samples of the real data add keys of their own to the buckets they are in. */
    static final int REAL_DATA_KEYS = 40;
    /** Measured 6.1 MB with Redis 6.2 (an empty server: 0.9 MB); the bound leaves more than half as much again. */
    static final long MAX_USED_MEMORY = 10_000_000;

    static final EventRecordReader records = CountingReader.of(new EventValidator(new EventFamilies()), IngestLimits.DEFAULTS);
    static final EventCounts counts = new EventCounts(properties);
    static final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    static final RedisMetricsStore store = new RedisMetricsStore(redis, properties, meters, Clock.fixed(NOW, ZoneOffset.UTC));
    static final MetricsReader reader = new MetricsReader(redis);
    static final List<CapturedRequest> real = WebSeeFixtures.load().posts();
    static final List<CapturedRequest> laterVisits = real.stream().filter(request -> request.body().contains("\"name\":\"LCP\""))
            .map(JunkCannotGrowRedisTest::aMinuteLater).toList();
    static final Map<String, Long> offsets = new HashMap<>();

    @BeforeAll
    static void flood() {
        redis.flushAll();
        long emptyMemory = usedMemory();
        JunkEvents junk = new JunkEvents(APIKEY);
        List<EventRecord> batch = new ArrayList<>();
        real.forEach(request -> batch.add(read(request, FLOOD_START)));
        for (int index = 0; index < JUNK; index++) {
            batch.add(read(junk.next(), FLOOD_START.plusMillis(FLOOD_LENGTH.toMillis() * index / JUNK)));
            if (batch.size() == BATCH) {
                apply(batch);
                batch.clear();
            }
        }
        apply(batch);
        batch.clear();
        laterVisits.forEach(request -> batch.add(read(request, AFTER_FLOOD)));
        real.forEach(request -> batch.add(read(request, AFTER_FLOOD)));
        apply(batch);
        System.out.printf("After %,d junk events and %d real ones: %,d keys, used_memory %,d bytes (empty: %,d); %s%n", JUNK,
                real.size() + laterVisits.size(), redis.dbSize(), usedMemory(), emptyMemory, memoryByKind());
    }

    @AfterAll
    static void stop() {
        redis.close();
        server.close();
    }

    @Test
    void keepsNoMoreKeysThanTheCapsAllowAndUsesAtMostTenMegabytes() {
        long capsAllow = BUCKETS_WRITTEN * (KEYS_PER_BUCKET + properties.maxPagesPerProject() + 1) + KEYS_PER_PROJECT + REAL_DATA_KEYS;

        assertThat(redis.dbSize()).isLessThanOrEqualTo(capsAllow);
        assertThat(usedMemory()).isLessThanOrEqualTo(MAX_USED_MEMORY);
        assertThat(keys("*")).allSatisfy(key -> assertThat(redis.ttl(key)).as(key).isPositive());
    }

    @Test
    void namesNothingAfterClientTextLongerThanTheBound() {
        int longestPrefix = MetricKeys.pageVitalsPrefix(APIKEY, MetricKeys.Resolution.MINUTE, Long.MAX_VALUE).length();

        for (String key : keys("*")) {
            assertThat(key.length()).as(key).isLessThanOrEqualTo(longestPrefix + BoundedText.MAX_LENGTH);
            List<String> names = switch (redis.type(key)) {
                case "zset" -> redis.zrange(key, 0, -1);
                case "hash" -> List.copyOf(redis.hkeys(key));
                case "set" -> List.copyOf(redis.smembers(key));
                default -> List.of();
            };
            assertThat(names).as(key).allSatisfy(name -> assertThat(name.length()).isLessThanOrEqualTo(BoundedText.MAX_LENGTH));
        }
    }

    @Test
    void countsEveryEventOnceAndTheRealClientsReSendsNotAtAll() {
        Map<String, Long> byType = new TreeMap<>(real.stream().collect(Collectors.groupingBy(CapturedRequest::type, Collectors.counting())));
        byType.merge("performance", JUNK / 3 + 1L + laterVisits.size(), Long::sum);
        byType.merge("error", JUNK / 3L, Long::sum);
        byType.merge("xhr", JUNK / 3L, Long::sum);

        var overview = reader.overview(APIKEY, MetricWindow.parse("1h"), NOW);

        assertThat(overview.events()).isEqualTo(JUNK + real.size() + laterVisits.size());
        assertThat(overview.byType()).isEqualTo(byType);
        assertThat(overview.errors()).isEqualTo(2 * (JUNK / 3) + 22);
        assertThat(reader.overview(APIKEY, MetricWindow.parse("3d"), NOW).byType()).isEqualTo(byType);
        // The ring remembered the real events, which came first; most junk found no room.
        assertThat(meters.counter(dev.trackpipeline.model.metrics.TrackMeters.AGGREGATOR_DEDUP_UNREMEMBERED).count()).isEqualTo(JUNK + real.size() + laterVisits.size() - 10_000);
    }

    @Test
    void listsTheRealErrorGroupsWithTheirExactCountsAndSamplesAndTheJunkBeyondTheCapAsOther() {
        Map<String, Long> realGroups = real.stream().map(request -> ErrorFingerprints.of(request.type(), request.event()))
                .flatMap(Optional::stream).collect(Collectors.groupingBy(group -> group.fingerprint(), Collectors.counting()));

        for (String window : List.of("1h", "3d")) {
            List<TopError> top = reader.topErrors(APIKEY, MetricWindow.parse(window), NOW, Integer.MAX_VALUE);
            Map<String, TopError> byFingerprint = top.stream().collect(Collectors.toMap(TopError::fingerprint, Function.identity()));

            assertThat(top.get(0).fingerprint()).isEqualTo(MetricKeys.OTHER);
            assertThat(top.get(1).title()).isEqualTo("Uncaught Error: Order list render failed: items is empty (app.js:4:38)");
            assertThat(top.get(1).count()).isEqualTo(2);
            assertThat(realGroups).allSatisfy((fingerprint, count) -> {
                assertThat(byFingerprint.get(fingerprint).count()).as(fingerprint).isEqualTo(count);
                assertThat(byFingerprint.get(fingerprint).title()).as(fingerprint).isNotEmpty();
            });
            assertThat(top.stream().mapToLong(TopError::count).sum()).as(window).isEqualTo(2 * (JUNK / 3) + 22);
        }
    }

    @Test
    void keepsTheRealPagesVitalsExactBesideTheJunkPages() {
        var shop = reader.pageVitals(APIKEY, "/shop/", MetricWindow.parse("1h"), NOW).get("LCP");
        Map<String, PageVital> pages = reader.slowestPages(APIKEY, "LCP", MetricWindow.parse("1h"), NOW, Integer.MAX_VALUE).stream()
                .collect(Collectors.toMap(PageVital::page, Function.identity()));

        // The fixtures' two LCPs of /shop/ (1152 and 1200 ms), and the same again a minute later.
        assertThat(shop.samples()).isEqualTo(4);
        assertThat(shop.p75()).isCloseTo(1200, within(1200 * 0.01));
        assertThat(pages.get("/shop/").samples()).isEqualTo(4);
        assertThat(pages.get("/admin/#/settings").samples()).isEqualTo(2);
        assertThat(pages.get("/admin/#/settings").p75()).isCloseTo(216, within(216 * 0.01));
        assertThat(pages.values().stream().mapToLong(PageVital::samples).sum()).isEqualTo(JUNK / 3 + 1 + 2L * laterVisits.size());
    }

    @Test
    void listsTheRealFailingRequestsAndTheLongJunkOnesInTheirBoundedForm() {
        List<RequestCount> failures = reader.pageCosts(APIKEY, MetricWindow.parse("1h"), NOW, Integer.MAX_VALUE).httpFailures();
        Map<String, Long> byRequest = failures.stream().collect(Collectors.toMap(RequestCount::request, RequestCount::count));

        assertThat(byRequest).containsEntry("GET /api/orders/:id", 2L).containsEntry("POST /api/checkout", 1L);
        assertThat(byRequest.keySet()).anySatisfy(request -> assertThat(request).hasSize(BoundedText.MAX_LENGTH).matches("GET /api/[g-z]+…[0-9a-f]{16}"));
        assertThat(failures.stream().mapToLong(RequestCount::count).sum()).isEqualTo(JUNK / 3 + 9);
    }

    private static EventRecord read(CapturedRequest request, Instant receivedAt) {
        FixtureRecord record = FixtureRecords.of(request, receivedAt);
        return records.read(name -> Optional.ofNullable(record.headers().get(name)), record.value());
    }

    /** Like the listener: a poll's records grouped by topic, each topic one partition here. */
    private static void apply(List<EventRecord> batch) {
        Map<String, List<RecordUpdates>> byTopic = new LinkedHashMap<>();
        for (EventRecord record : batch) {
            String topic = "track." + record.family().name();
            long offset = offsets.merge(topic, 1L, Long::sum);
            byTopic.computeIfAbsent(topic, key -> new ArrayList<>())
                    .add(new RecordUpdates(offset, record.apikey(), record.eventId(), counts.of(record)));
        }
        store.apply(byTopic.entrySet().stream().map(topic -> new PartitionUpdates(topic.getKey(), 0, topic.getValue())).toList());
    }

    /** The same measurement on the same page a minute later: another event, with another id. */
    private static CapturedRequest aMinuteLater(CapturedRequest request) {
        Matcher time = Pattern.compile("\"time\":(\\d+)").matcher(request.body());
        String body = time.replaceFirst(match -> "\"time\":" + (Long.parseLong(match.group(1)) + 60_000));
        return new CapturedRequest(request.method(), request.path(), request.contentType(), request.contentEncoding(), body);
    }

    private static long usedMemory() {
        return redis.info("memory").lines().filter(line -> line.startsWith("used_memory:"))
                .mapToLong(line -> Long.parseLong(line.substring("used_memory:".length()).trim())).findFirst().orElseThrow();
    }

    /** Keys and their MEMORY USAGE by what they hold, for the report. */
    private static String memoryByKind() {
        Map<String, long[]> kinds = new TreeMap<>();
        for (String key : keys("*")) {
            String kind = key.replaceFirst("^track:\\{[^}]*}:", "").replaceFirst("^[mh]:\\d+", "<bucket>")
                    .replaceFirst(":page:.*", ":page:<page>").replaceFirst("^dedup:\\d+", "dedup:<slot>");
            long[] sum = kinds.computeIfAbsent(kind, ignored -> new long[2]);
            sum[0]++;
            sum[1] += redis.memoryUsage(key);
        }
        return kinds.entrySet().stream().map(kind -> kind.getKey() + " " + kind.getValue()[0] + " keys " + kind.getValue()[1] + " B")
                .collect(Collectors.joining(", "));
    }

    private static List<String> keys(String pattern) {
        return RedisKeys.matching(redis, pattern);
    }
}
