package dev.trackpipeline.aggregator;

import static dev.trackpipeline.aggregator.JunkFlood.APIKEY;
import static dev.trackpipeline.aggregator.JunkFlood.JUNK;
import static dev.trackpipeline.aggregator.JunkFlood.LENGTH;
import static dev.trackpipeline.aggregator.JunkFlood.REAL;
import static dev.trackpipeline.aggregator.JunkFlood.START;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.trackpipeline.aggregator.metrics.BoundedText;
import dev.trackpipeline.aggregator.metrics.EventCounts;
import dev.trackpipeline.aggregator.metrics.MetricKeys;
import dev.trackpipeline.aggregator.metrics.RedisMetricsStore;
import dev.trackpipeline.aggregator.query.MetricWindow;
import dev.trackpipeline.aggregator.query.MetricsReader;
import dev.trackpipeline.aggregator.query.PageCosts.RequestCount;
import dev.trackpipeline.aggregator.query.PageVital;
import dev.trackpipeline.aggregator.query.TopError;
import dev.trackpipeline.model.errors.ErrorFingerprints;
import dev.trackpipeline.model.errors.ErrorGroup;
import dev.trackpipeline.model.fixtures.WebSeeFixtures.CapturedRequest;
import dev.trackpipeline.model.metrics.TrackMeters;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisPooled;

/**
 * A project's apikey ships in every page, so anyone can send it anything. 100,000 junk events,
 * each naming a page, an error or a request never seen before, go through {@link EventCounts}
 * and {@link RedisMetricsStore} as the listener sends them (batches of 500) over ten minutes of
 * received-at ({@link JunkFlood}). The project's real traffic (the real SDK's captured events)
 * arrives with the first batch; after the flood its pages are visited again and the client
 * re-sends all of it. Redis must stay within what the caps allow, and the real data must read
 * back exact: named while its buckets keep it apart, else in (other), and the totals add up.
 *
 * <p>A full bucket keeps apart the names it counted most often, and the newest: the real names
 * seen once or twice before 3,333 junk names a minute gave up their places to them, and count in
 * (other). {@link RealTrafficAfterAJunkFloodTest} sends the real traffic after the junk instead.
 */
class JunkCannotGrowRedisTest {

    static final Instant AFTER_FLOOD = START.plus(LENGTH).plusSeconds(10);
    static final Instant NOW = AFTER_FLOOD.plusSeconds(20);
    /** The flood's ten minute buckets and the minute after it; their hour. */
    static final int MINUTE_BUCKETS_WRITTEN = 11;
    static final int HOUR_BUCKETS_WRITTEN = 1;
    static final int DAY_BUCKETS_WRITTEN = 1;
    /** Measured 6.4 MB with Redis 7.0 (an empty server: 0.9 MB); the bound leaves more than half as much again. */
    static final long MAX_USED_MEMORY = 10_000_000;

    static final JunkFlood flood = new JunkFlood(NOW);
    static final JedisPooled redis = flood.redis;
    static final MetricsReader reader = flood.reader;
    static final List<CapturedRequest> laterVisits = REAL.stream().filter(request -> request.body().contains("\"name\":\"LCP\""))
            .map(request -> JunkFlood.later(request, 60_000)).toList();

    @BeforeAll
    static void sendTheRealTrafficThenTheFloodThenTheRealTrafficAgain() {
        long emptyMemory = flood.usedMemory();
        REAL.forEach(request -> flood.send(flood.read(request, START)));
        flood.sendJunkUpTo(JUNK);
        flood.flush();
        laterVisits.forEach(request -> flood.send(flood.read(request, AFTER_FLOOD)));
        REAL.forEach(request -> flood.send(flood.read(request, AFTER_FLOOD)));
        flood.flush();
        System.out.printf("After %,d junk events and %d real ones: %,d keys, used_memory %,d bytes (empty: %,d); %s%n", JUNK,
                REAL.size() + laterVisits.size(), redis.dbSize(), flood.usedMemory(), emptyMemory, flood.memoryByKind());
    }

    @AfterAll
    static void stop() {
        flood.close();
    }

    @Test
    void keepsNoMoreKeysThanTheCapsAllowAndUsesAtMostTenMegabytes() {
        assertThat(redis.dbSize()).isLessThanOrEqualTo(JunkFlood.keysTheCapsAllow(MINUTE_BUCKETS_WRITTEN, HOUR_BUCKETS_WRITTEN, DAY_BUCKETS_WRITTEN));
        assertThat(flood.usedMemory()).isLessThanOrEqualTo(MAX_USED_MEMORY);
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
        Map<String, Long> byType = new TreeMap<>(REAL.stream().collect(Collectors.groupingBy(CapturedRequest::type, Collectors.counting())));
        byType.merge("performance", JUNK / 3 + 1L + laterVisits.size(), Long::sum);
        byType.merge("error", JUNK / 3L, Long::sum);
        byType.merge("xhr", JUNK / 3L, Long::sum);

        var overview = reader.overview(APIKEY, MetricWindow.parse("1h"), NOW);

        assertThat(overview.events()).isEqualTo(JUNK + REAL.size() + laterVisits.size());
        assertThat(overview.byType()).isEqualTo(byType);
        assertThat(overview.errors()).isEqualTo(2 * (JUNK / 3) + 22);
        assertThat(reader.overview(APIKEY, MetricWindow.parse("3d"), NOW).byType()).isEqualTo(byType);
        // The ring remembered the real events, which came first; most junk found no room.
        assertThat(flood.meters.counter(TrackMeters.AGGREGATOR_DEDUP_UNREMEMBERED).count()).isEqualTo(JUNK + REAL.size() + laterVisits.size() - 10_000);
    }

    /**
     * The real groups occurred once or twice, before 3,333 junk groups a minute (33,333 in the
     * hour) of 500 places: far below the flood's share of a place, they gave theirs up, and their
     * exact counts joined (other), which leads. No real error occurred after the flood.
     */
    @Test
    void countsTheRealErrorGroupsTheFloodFollowedInOtherSoTheCountsStillAddUp() {
        Set<String> realGroups = REAL.stream().map(request -> ErrorFingerprints.of(request.type(), request.event()))
                .flatMap(Optional::stream).map(ErrorGroup::fingerprint).collect(Collectors.toSet());

        for (String window : List.of("1h", "3d")) {
            List<TopError> top = reader.topErrors(APIKEY, MetricWindow.parse(window), NOW, Integer.MAX_VALUE);

            assertThat(top.get(0).fingerprint()).isEqualTo(MetricKeys.OTHER);
            assertThat(top).as(window).noneMatch(error -> realGroups.contains(error.fingerprint()))
                    .allSatisfy(error -> assertThat(error.title()).isNotEmpty());
            assertThat(top.stream().mapToLong(TopError::count).sum()).as(window).isEqualTo(2 * (JUNK / 3) + 22);
        }
    }

    /** The pages' first visits went to (other) with the flood's first minute; their visits after the flood are named again. */
    @Test
    void keepsTheRealPagesVitalsSinceTheFloodExactBesideTheJunkPages() {
        var shop = reader.pageVitals(APIKEY, "/shop/", MetricWindow.parse("1h"), NOW).get("LCP");
        Map<String, PageVital> pages = reader.slowestPages(APIKEY, "LCP", MetricWindow.parse("1h"), NOW, Integer.MAX_VALUE).stream()
                .collect(Collectors.toMap(PageVital::page, Function.identity()));

        // The fixtures' two LCPs of /shop/ (1152 and 1200 ms) a minute later, after the flood.
        assertThat(shop.samples()).isEqualTo(2);
        assertThat(shop.p75()).isCloseTo(1200, within(1200 * JunkFlood.PAGE_ERROR));
        var admin = reader.pageVitals(APIKEY, "/admin/#/settings", MetricWindow.parse("1h"), NOW).get("LCP");
        assertThat(admin.samples()).isEqualTo(1);
        assertThat(admin.p75()).isCloseTo(216, within(216 * JunkFlood.PAGE_ERROR));
        // The ranking looks at the hour's busiest pages only (its cost is bounded by them): the
        // flood's pages ranked higher than the real ones visited once after it, so those are
        // left out of the ranking, and it shows at most every sample.
        assertThat(pages).hasSizeLessThanOrEqualTo(AggregatorProperties.Reads.DEFAULTS.slowestPageCandidates() + 1)
                .doesNotContainKey("/shop/");
        assertThat(pages.values().stream().mapToLong(PageVital::samples).sum()).isLessThanOrEqualTo(JUNK / 3 + 1 + 2L * laterVisits.size());
    }

    /** The real failing requests went to (other) as the real errors did; the junk ones named are in their bounded form. */
    @Test
    void listsTheLongJunkFailingRequestsInTheirBoundedFormAndTheRealOnesTheFloodFollowedInOther() {
        List<RequestCount> failures = reader.pageCosts(APIKEY, MetricWindow.parse("1h"), NOW, Integer.MAX_VALUE).httpFailures();
        Map<String, Long> byRequest = failures.stream().collect(Collectors.toMap(RequestCount::request, RequestCount::count));

        assertThat(byRequest).doesNotContainKeys("GET /api/orders/:id", "POST /api/checkout").containsKey(MetricKeys.OTHER);
        assertThat(byRequest.keySet()).anySatisfy(request -> assertThat(request).hasSize(BoundedText.MAX_LENGTH).matches("GET /api/[g-z]+…[0-9a-f]{16}"));
        assertThat(failures.stream().mapToLong(RequestCount::count).sum()).isEqualTo(JUNK / 3 + 9);
    }

    private static List<String> keys(String pattern) {
        return flood.keys(pattern);
    }
}
