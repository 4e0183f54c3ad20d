package dev.trackpipeline.aggregator;

import static dev.trackpipeline.aggregator.JunkFlood.APIKEY;
import static dev.trackpipeline.aggregator.JunkFlood.JUNK;
import static dev.trackpipeline.aggregator.JunkFlood.LENGTH;
import static dev.trackpipeline.aggregator.JunkFlood.REAL;
import static dev.trackpipeline.aggregator.JunkFlood.START;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.trackpipeline.aggregator.metrics.MetricKeys;
import dev.trackpipeline.aggregator.query.MetricWindow;
import dev.trackpipeline.aggregator.query.MetricsReader;
import dev.trackpipeline.aggregator.query.PageCosts.RequestCount;
import dev.trackpipeline.aggregator.query.PageVital;
import dev.trackpipeline.aggregator.query.TopError;
import dev.trackpipeline.model.errors.ErrorFingerprints;
import dev.trackpipeline.model.fixtures.WebSeeFixtures.CapturedRequest;
import dev.trackpipeline.model.urls.UrlPaths;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisPooled;

/**
 * The flood of {@link JunkCannotGrowRedisTest}, timed as an attacker would: each minute's 10,000
 * junk events come first, and the project's real traffic of that minute (the real SDK's events,
 * three visits' worth, each visit a poll of its own) only at the minute's end, long after its
 * buckets are full. Kept apart first come, first kept, every real page, error group and failing
 * request went to (other). Kept apart by count, each is named: in the minute buckets with every
 * occurrence, since nothing followed it there; in the hour bucket with at least the last minute's,
 * since the next minute's junk may take its place again. The totals add up, and Redis stays within
 * what the caps allow.
 */
class RealTrafficAfterAJunkFloodTest {

    static final int MINUTES = 10;
    static final int VISITS = 3;
    static final Instant NOW = START.plus(LENGTH).plusSeconds(30);
    /** Measured 6.5 MB with Redis 7.0 (an empty server: 0.9 MB); the bound leaves more than half as much again. */
    static final long MAX_USED_MEMORY = 10_000_000;

    static final JunkFlood flood = new JunkFlood(NOW);
    static final JedisPooled redis = flood.redis;
    static final MetricsReader reader = flood.reader;

    /** Per visit: the real error groups' occurrences (failing requests are error groups too), the real pages' LCPs. */
    static final Map<String, Long> realGroups = REAL.stream().map(request -> ErrorFingerprints.of(request.type(), request.event()))
            .flatMap(Optional::stream).collect(Collectors.groupingBy(group -> group.fingerprint(), Collectors.counting()));
    static final Map<String, Long> realLcps = REAL.stream().filter(request -> request.body().contains("\"name\":\"LCP\""))
            .collect(Collectors.groupingBy(request -> UrlPaths.page(request.event().path("pageUrl").asString()), Collectors.counting()));

    @BeforeAll
    static void sendEachMinutesJunkThenItsRealTraffic() {
        long emptyMemory = flood.usedMemory();
        for (int minute = 0; minute < MINUTES; minute++) {
            flood.sendJunkUpTo(JUNK * (minute + 1) / MINUTES);
            flood.flush();
            Instant endOfMinute = START.plus(Duration.ofMinutes(minute)).plusSeconds(59);
            for (int visit = 0; visit < VISITS; visit++) {
                // Each visit's events are new ones (their time, so their ids, differ), all received at the minute's end.
                long shift = (minute * VISITS + visit + 1) * 1_000L;
                REAL.forEach(request -> flood.send(flood.read(JunkFlood.later(request, shift), endOfMinute)));
                flood.flush();
            }
        }
        System.out.printf("After %,d junk events, each minute's real ones after them (%,d): %,d keys, used_memory %,d bytes (empty: %,d); %s%n",
                JUNK, MINUTES * VISITS * REAL.size(), redis.dbSize(), flood.usedMemory(), emptyMemory, flood.memoryByKind());
    }

    @AfterAll
    static void stop() {
        flood.close();
    }

    @Test
    void keepsNoMoreKeysThanTheCapsAllowAndUsesAtMostTenMegabytes() {
        assertThat(redis.dbSize()).isLessThanOrEqualTo(JunkFlood.keysTheCapsAllow(MINUTES, 1, 1));
        assertThat(flood.usedMemory()).isLessThanOrEqualTo(MAX_USED_MEMORY);
        assertThat(flood.keys("*")).allSatisfy(key -> assertThat(redis.ttl(key)).as(key).isPositive());
    }

    @Test
    void countsEveryEventOnce() {
        assertThat(reader.overview(APIKEY, MetricWindow.parse("1h"), NOW).events()).isEqualTo(JUNK + MINUTES * VISITS * REAL.size());
        assertThat(reader.overview(APIKEY, MetricWindow.parse("3d"), NOW).events()).isEqualTo(JUNK + MINUTES * VISITS * REAL.size());
    }

    @Test
    void namesTheRealErrorGroupsWithTheirSamplesAndEveryOccurrenceInTheMinuteBuckets() {
        Map<String, TopError> top = topErrors("1h");

        assertThat(top).containsKeys(realGroups.keySet().toArray(String[]::new));
        assertThat(realGroups).isNotEmpty().allSatisfy((fingerprint, perVisit) -> {
            assertThat(top.get(fingerprint).count()).as(fingerprint).isEqualTo(MINUTES * VISITS * perVisit);
            assertThat(top.get(fingerprint).title()).as(fingerprint).isNotEmpty();
        });
        assertThat(top.values().stream().mapToLong(TopError::count).sum()).isEqualTo(2 * (JUNK / 3) + MINUTES * VISITS * realGroupOccurrences());
    }

    @Test
    void namesTheRealErrorGroupsInTheHourBucketWithAtLeastTheLastMinutesOccurrences() {
        Map<String, TopError> top = topErrors("3d");

        assertThat(top).containsKeys(realGroups.keySet().toArray(String[]::new));
        assertThat(realGroups).allSatisfy((fingerprint, perVisit) -> {
            assertThat(top.get(fingerprint).count()).as(fingerprint).isBetween(VISITS * perVisit, MINUTES * VISITS * perVisit);
            assertThat(top.get(fingerprint).title()).as(fingerprint).isNotEmpty();
        });
        assertThat(top.values().stream().mapToLong(TopError::count).sum()).isEqualTo(2 * (JUNK / 3) + MINUTES * VISITS * realGroupOccurrences());
    }

    @Test
    void keepsTheRealPagesApartWithEveryVitalInTheMinuteBuckets() {
        Map<String, PageVital> pages = slowestPages("1h");
        var shop = reader.pageVitals(APIKEY, "/shop/", MetricWindow.parse("1h"), NOW).get("LCP");

        assertThat(pages).containsKeys(realLcps.keySet().toArray(String[]::new));
        assertThat(realLcps).hasSize(4).allSatisfy((page, perVisit) ->
                assertThat(pages.get(page).samples()).as(page).isEqualTo(MINUTES * VISITS * perVisit));
        // The fixtures' two LCPs of /shop/ (1152 and 1200 ms), at every visit.
        assertThat(shop.samples()).isEqualTo(MINUTES * VISITS * 2);
        assertThat(shop.p75()).isCloseTo(1200, within(1200 * JunkFlood.PAGE_ERROR));
        assertThatTheRankingLooksAtTheBusiestPagesOnly(pages);
    }

    @Test
    void keepsTheRealPagesApartInTheHourBucketWithAtLeastTheLastMinutesVitals() {
        Map<String, PageVital> pages = slowestPages("3d");

        assertThat(pages).containsKeys(realLcps.keySet().toArray(String[]::new));
        assertThat(realLcps).allSatisfy((page, perVisit) ->
                assertThat(pages.get(page).samples()).as(page).isBetween(VISITS * perVisit, MINUTES * VISITS * perVisit));
        assertThatTheRankingLooksAtTheBusiestPagesOnly(pages);
    }

    /**
     * The ranking reads the histograms of the window's busiest pages (the candidates) and of
     * (other), not of every page its buckets name, so that its cost is bounded: the junk pages
     * beyond the candidates are left out, and the samples it shows are at most all of them.
     */
    private static void assertThatTheRankingLooksAtTheBusiestPagesOnly(Map<String, PageVital> pages) {
        assertThat(pages).hasSizeLessThanOrEqualTo(AggregatorProperties.Reads.DEFAULTS.slowestPageCandidates() + 1);
        assertThat(pages.values().stream().mapToLong(PageVital::samples).sum())
                .isLessThanOrEqualTo(JUNK / 3 + 1 + MINUTES * VISITS * realLcpCount());
    }

    @Test
    void namesTheRealFailingRequestsWithEveryFailureInTheMinuteBuckets() {
        Map<String, Long> failures = failingRequests("1h");

        assertThat(failures).containsEntry("GET /api/orders/:id", MINUTES * VISITS * 2L)
                .containsEntry("POST /api/checkout", MINUTES * VISITS * 1L);
        assertThat(failures.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(JUNK / 3 + MINUTES * VISITS * 9L);
    }

    @Test
    void namesTheRealFailingRequestsInTheHourBucketWithAtLeastTheLastMinutesFailures() {
        Map<String, Long> failures = failingRequests("3d");

        assertThat(failures.get("GET /api/orders/:id")).isBetween(VISITS * 2L, MINUTES * VISITS * 2L);
        assertThat(failures.get("POST /api/checkout")).isBetween(VISITS * 1L, MINUTES * VISITS * 1L);
        assertThat(failures).containsKey(MetricKeys.OTHER);
        assertThat(failures.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(JUNK / 3 + MINUTES * VISITS * 9L);
    }

    private static Map<String, TopError> topErrors(String window) {
        return reader.topErrors(APIKEY, MetricWindow.parse(window), NOW, Integer.MAX_VALUE).stream()
                .collect(Collectors.toMap(TopError::fingerprint, Function.identity()));
    }

    private static Map<String, PageVital> slowestPages(String window) {
        return reader.slowestPages(APIKEY, "LCP", MetricWindow.parse(window), NOW, Integer.MAX_VALUE).stream()
                .collect(Collectors.toMap(PageVital::page, Function.identity()));
    }

    private static Map<String, Long> failingRequests(String window) {
        return reader.pageCosts(APIKEY, MetricWindow.parse(window), NOW, Integer.MAX_VALUE).httpFailures().stream()
                .collect(Collectors.toMap(RequestCount::request, RequestCount::count));
    }

    private static long realGroupOccurrences() {
        return realGroups.values().stream().mapToLong(Long::longValue).sum();
    }

    private static long realLcpCount() {
        return realLcps.values().stream().mapToLong(Long::longValue).sum();
    }
}
