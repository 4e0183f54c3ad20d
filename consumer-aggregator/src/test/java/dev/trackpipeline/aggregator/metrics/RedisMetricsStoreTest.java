package dev.trackpipeline.aggregator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.aggregator.AggregatorProperties;
import dev.trackpipeline.aggregator.metrics.MetricUpdate.Operation;
import dev.trackpipeline.aggregator.metrics.RedisMetricsStore.PartitionUpdates;
import dev.trackpipeline.aggregator.metrics.RedisMetricsStore.RecordUpdates;
import dev.trackpipeline.infra.EmbeddedRedisServer;
import dev.trackpipeline.infra.InfrastructureSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisPooled;

/**
 * The store against a real Redis: each record counts once, whatever mix of fresh and seen records
 * a batch holds, and what clients name (pages, groups, event ids) takes a bounded room.
 */
class RedisMetricsStoreTest {

    static final EmbeddedRedisServer server = EmbeddedRedisServer.start(Optional.empty(), "127.0.0.1", InfrastructureSettings.freePort());
    static final JedisPooled redis = new JedisPooled(server.host(), server.port());
    /** Two pages and two groups per bucket, three ids per slice of the dedup ring. */
    static final AggregatorProperties properties = new AggregatorProperties("store-test", null, Duration.ofHours(1),
            Duration.ofHours(48), Duration.ofDays(30), 2, 2, 3);
    static final String COUNTERS = "track:{shop}:m:1";
    static final String PAGES = "track:{shop}:pv:m:1:";
    static final String GROUPS = "track:{shop}:m:1:errors";
    static final Instant NOON = Instant.parse("2026-05-04T12:00:00Z");

    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    RedisMetricsStore store = storeAt(NOON);

    @AfterAll
    static void stop() {
        redis.close();
        server.close();
    }

    @BeforeEach
    void emptyRedis() {
        redis.flushAll();
    }

    @Test
    void appliesAFreshBatchInOneStepAndMovesTheMarkerToItsLastOffset() {
        long applied = apply("track.error", 0, List.of(event(10, "a"), event(11, "b"), event(12, "c")));

        assertThat(applied).isEqualTo(3);
        assertThat(redis.hget(COUNTERS, "events")).isEqualTo("3");
        assertThat(redis.hget(MetricKeys.progress("shop", "store-test"), "track.error:0")).isEqualTo("12");
        assertThat(redis.ttl(COUNTERS)).isPositive();
    }

    @Test
    void countsOnceAnEventTheClientSentTwiceWithinOneBatch() {
        long applied = apply("track.error", 0, List.of(event(10, "a"), event(11, "a"), event(12, "b")));

        assertThat(applied).isEqualTo(2);
        assertThat(redis.hget(COUNTERS, "events")).isEqualTo("2");
    }

    @Test
    void appliesTheFreshRecordsOfABatchThatAlsoHoldsReSendsOfEarlierEvents() {
        apply("track.error", 0, List.of(event(10, "a"), event(11, "b")));

        long applied = apply("track.error", 0, List.of(event(12, "a"), event(13, "c"), event(14, "b"), event(15, "d")));

        assertThat(applied).isEqualTo(2);
        assertThat(redis.hget(COUNTERS, "events")).isEqualTo("4");
        assertThat(redis.hget(MetricKeys.progress("shop", "store-test"), "track.error:0")).isEqualTo("15");
    }

    @Test
    void countsNothingOfABatchKafkaDeliversAgainAndStillMovesTheMarkerPastABatchOfReSendsOnly() {
        List<RecordUpdates> batch = List.of(event(10, "a"), event(11, "b"));
        apply("track.error", 0, batch);

        assertThat(apply("track.error", 0, batch)).isZero();
        assertThat(apply("track.error", 0, List.of(event(12, "a"), event(13, "b")))).isZero();

        assertThat(redis.hget(COUNTERS, "events")).isEqualTo("2");
        assertThat(redis.hget(MetricKeys.progress("shop", "store-test"), "track.error:0")).isEqualTo("13");
    }

    @Test
    void keepsEachProjectsRecordsApartInOneBatch() {
        long applied = apply("track.error", 3, List.of(event(1, "a"), event("blog", 2, "a"), event(3, "b")));

        assertThat(applied).isEqualTo(3);
        assertThat(redis.hget(COUNTERS, "events")).isEqualTo("2");
        assertThat(redis.hget("track:{blog}:m:1", "events")).isEqualTo("1");
    }

    @Test
    void appliesEveryPartitionOfAPollTogetherAndTellsHowManyOfEachCounted() {
        apply("track.error", 1, List.of(event(10, "a")));

        List<Long> applied = store.apply(List.of(
                new PartitionUpdates("track.error", 0, List.of(event(5, "b"), event(6, "c"))),
                new PartitionUpdates("track.error", 1, List.of(event(10, "a"), event(11, "d"))),
                new PartitionUpdates("track.http", 0, List.of(event(7, "c"), event(8, "e")))));

        assertThat(applied).containsExactly(2L, 1L, 1L);
        assertThat(redis.hget(COUNTERS, "events")).isEqualTo("5");
        assertThat(redis.hgetAll(MetricKeys.progress("shop", "store-test")))
                .isEqualTo(Map.of("track.error:0", "6", "track.error:1", "11", "track.http:0", "8"));
    }

    @Test
    void givesPagesBeyondTheCapTheSharedPageName() {
        apply("track.performance", 0, List.of(pageView(1, "a", PAGES, "/one"), pageView(2, "b", PAGES, "/two"),
                pageView(3, "c", PAGES, "/three"), pageView(4, "d", PAGES, "/one")));

        assertThat(Map.of("/one", redis.hget(PAGES + "/one", "views"), "/two", redis.hget(PAGES + "/two", "views"),
                MetricKeys.OTHER, redis.hget(PAGES + MetricKeys.OTHER, "views")))
                .isEqualTo(Map.of("/one", "2", "/two", "1", MetricKeys.OTHER, "1"));
    }

    /** The page set is the bucket's (the prefix without its colon), so it ages out with the bucket. */
    @Test
    void keepsPagesApartPerBucketSoThatAnEarlierBucketsPagesHoldNoPlaceInALaterOne() {
        String laterBucket = "track:{shop}:pv:m:2:";
        apply("track.performance", 0, List.of(pageView(1, "a", PAGES, "/junk-1"), pageView(2, "b", PAGES, "/junk-2")));

        apply("track.performance", 0, List.of(pageView(3, "c", laterBucket, "/shop/"), pageView(4, "d", PAGES, "/shop/")));

        assertThat(redis.smembers("track:{shop}:pv:m:1")).containsExactlyInAnyOrder("/junk-1", "/junk-2");
        assertThat(redis.smembers("track:{shop}:pv:m:2")).containsExactly("/shop/");
        assertThat(redis.hget(laterBucket + "/shop/", "views")).isEqualTo("1");
        assertThat(redis.hget(PAGES + MetricKeys.OTHER, "views")).isEqualTo("1");
        assertThat(redis.ttl("track:{shop}:pv:m:2")).isPositive();
    }

    @Test
    void namesTheFirstGroupsOfABucketAndCountsTheRestAsOtherSoTheCountsStillAddUp() {
        apply("track.error", 0, List.of(error(1, "a", "fp-1"), error(2, "b", "fp-2"), error(3, "c", "fp-3")));
        apply("track.error", 0, List.of(error(4, "d", "fp-1"), error(5, "e", "fp-4"), error(6, "f", "fp-3")));

        assertThat(redis.zrangeWithScores(GROUPS, 0, -1)).extracting(tuple -> tuple.getElement() + "=" + (long) tuple.getScore())
                .containsExactlyInAnyOrder("fp-1=2", "fp-2=1", MetricKeys.OTHER + "=3");
    }

    @Test
    void keepsASampleOnlyOfTheGroupsItsBucketNames() {
        apply("track.error", 0, List.of(error(1, "a", "fp-1"), error(2, "b", "fp-2"), error(3, "c", "fp-3"), error(4, "d", "fp-1")));

        assertThat(redis.hgetAll(GROUPS + MetricKeys.SAMPLES_SUFFIX)).isEqualTo(Map.of("fp-1", "sample of a", "fp-2", "sample of b"));
        assertThat(redis.ttl(GROUPS + MetricKeys.SAMPLES_SUFFIX)).isPositive();
    }

    @Test
    void recognisesAClientsReSendForTheWholeDedupWindowAndCountsItAgainAfterIt() {
        apply("track.error", 0, List.of(event(1, "a"), event(2, "b")));

        store = storeAt(NOON.plus(Duration.ofMinutes(59)));
        assertThat(apply("track.error", 0, List.of(event(3, "a")))).isZero();
        store = storeAt(NOON.plus(Duration.ofMinutes(65)));
        assertThat(apply("track.error", 0, List.of(event(4, "b")))).isEqualTo(1);

        assertThat(redis.hget(COUNTERS, "events")).isEqualTo("3");
    }

    @Test
    void countsAgainTheReSendOfAnEventItHadNoRoomToRememberAndSaysHowManyItForgot() {
        apply("track.error", 0, List.of(event(1, "a"), event(2, "b"), event(3, "c"), event(4, "d"), event(5, "e")));

        long applied = apply("track.error", 0, List.of(event(6, "a"), event(7, "d"), event(8, "e")));

        assertThat(applied).isEqualTo(2);
        assertThat(redis.hget(COUNTERS, "events")).isEqualTo("7");
        assertThat(meters.counter(dev.trackpipeline.model.metrics.TrackMeters.AGGREGATOR_DEDUP_UNREMEMBERED).count()).isEqualTo(4);
    }

    /** The room follows the operator's rate limit for the project, not anything a client sends. */
    @Test
    void givesAProjectRoomForEveryEventItsRateLimitLetsThroughInASlice() {
        // The configured room here is 2 ids a slice; a rate limit of 1 event a second makes 300 for a 5-minute slice.
        store = new RedisMetricsStore(redis, properties, meters, Clock.fixed(NOON, ZoneOffset.UTC), apikey -> 1);
        apply("track.error", 0, List.of(event(1, "a"), event(2, "b"), event(3, "c"), event(4, "d"), event(5, "e")));

        long applied = apply("track.error", 0, List.of(event(6, "a"), event(7, "d"), event(8, "e")));

        assertThat(applied).isZero();
        assertThat(redis.hget(COUNTERS, "events")).isEqualTo("5");
        assertThat(meters.counter(dev.trackpipeline.model.metrics.TrackMeters.AGGREGATOR_DEDUP_UNREMEMBERED).count()).isZero();
    }

    @Test
    void recognisesARedeliveryByTheMarkerAloneWhenTheRingHadNoRoomForItsIds() {
        List<RecordUpdates> batch = List.of(event(1, "a"), event(2, "b"), event(3, "c"), event(4, "d"), event(5, "e"));
        apply("track.error", 0, batch);
        redis.del(redis.keys("track:{shop}:dedup*").toArray(String[]::new));

        assertThat(apply("track.error", 0, batch)).isZero();
        assertThat(redis.hget(COUNTERS, "events")).isEqualTo("5");
    }

    @Test
    void holdsNoMoreIdsThanTheRingsSlotsTimesItsRoomPerSliceHoweverManyEventsArrive() {
        long offset = 0;
        for (int minute = 0; minute < 180; minute += 2) {
            store = storeAt(NOON.plus(Duration.ofMinutes(minute)));
            List<RecordUpdates> batch = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                batch.add(event(offset++, "event-" + offset));
            }
            apply("track.error", 0, batch);
        }

        assertThat(keys("track:{shop}:dedup:*")).hasSize(DedupRing.SLICES + 1);
        for (int slot = 0; slot <= DedupRing.SLICES; slot++) {
            assertThat(redis.scard(MetricKeys.dedupSlot("shop", slot))).isLessThanOrEqualTo(3);
        }
        assertThat(redis.hget(COUNTERS, "events")).isEqualTo("900");
    }

    @Test
    void givesEveryKeyItWritesATtl() {
        apply("track.error", 0, List.of(event(1, "a"), error(2, "b", "fp-1"), error(3, "c", "fp-2"), error(4, "d", "fp-3"),
                pageView(5, "e", PAGES, "/one"), pageView(6, "f", PAGES, "/two"), pageView(7, "g", PAGES, "/three")));

        assertThat(keys("*")).isNotEmpty().allSatisfy(key -> assertThat(redis.ttl(key)).as(key).isPositive());
    }

    /** One partition's batch alone, as a poll holding only that partition would apply it. */
    private long apply(String topic, int partition, List<RecordUpdates> records) {
        return store.apply(List.of(new PartitionUpdates(topic, partition, records))).get(0);
    }

    private RedisMetricsStore storeAt(Instant now) {
        return new RedisMetricsStore(redis, properties, meters, Clock.fixed(now, ZoneOffset.UTC));
    }

    private static List<String> keys(String pattern) {
        return RedisKeys.matching(redis, pattern);
    }

    private static RecordUpdates event(long offset, String eventId) {
        return event("shop", offset, eventId);
    }

    private static RecordUpdates event(String apikey, long offset, String eventId) {
        return new RecordUpdates(offset, apikey, eventId, List.of(MetricUpdate.increment("track:{" + apikey + "}:m:1", "events", 60)));
    }

    private static RecordUpdates pageView(long offset, String eventId, String bucketPrefix, String page) {
        return new RecordUpdates(offset, "shop", eventId, List.of(new MetricUpdate(Operation.PAGE_HINCRBY, bucketPrefix, "views", page, 60)));
    }

    private static RecordUpdates error(long offset, String eventId, String fingerprint) {
        return new RecordUpdates(offset, "shop", eventId, List.of(
                new MetricUpdate(Operation.ZINCRBY, GROUPS, fingerprint, "1", 60),
                new MetricUpdate(Operation.SAMPLE, GROUPS + MetricKeys.SAMPLES_SUFFIX, fingerprint, "sample of " + eventId, 60)));
    }
}
