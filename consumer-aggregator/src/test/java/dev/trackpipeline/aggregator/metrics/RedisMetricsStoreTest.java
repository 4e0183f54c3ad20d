package dev.trackpipeline.aggregator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.aggregator.AggregatorProperties;
import dev.trackpipeline.aggregator.metrics.MetricKeys.Resolution;
import dev.trackpipeline.aggregator.metrics.MetricUpdate.Operation;
import dev.trackpipeline.aggregator.metrics.RedisMetricsStore.Applied;
import dev.trackpipeline.aggregator.metrics.RedisMetricsStore.PartitionUpdates;
import dev.trackpipeline.aggregator.metrics.RedisMetricsStore.RecordUpdates;
import dev.trackpipeline.infra.EmbeddedRedisServer;
import dev.trackpipeline.infra.FreePorts;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisPooled;

/**
 * The store against a real Redis: each record counts once, whatever mix of fresh and seen records
 * a batch holds, and what clients name (pages, groups, event ids) takes a bounded room. A full
 * bucket decides by count which names it keeps apart (Space-Saving), and its counts stay exact:
 * what a name gives up joins {@code (other)}.
 */
class RedisMetricsStoreTest {

    static final EmbeddedRedisServer server = EmbeddedRedisServer.start(Optional.empty(), "127.0.0.1", FreePorts.one());
    static final JedisPooled redis = new JedisPooled(server.host(), server.port());
    /** Two pages per hour bucket, one per minute bucket, two groups per bucket, three ids per slice of the dedup ring. */
    static final AggregatorProperties properties = new AggregatorProperties("store-test", null, Duration.ofHours(1),
            Duration.ofHours(48), Duration.ofDays(30), 2, 1, 2, 3);
    /** The default retentions (70 minutes, 24 hours, 30 days), where hours and days age out apart. */
    static final AggregatorProperties DEFAULT_RETENTIONS = new AggregatorProperties("store-test", null, Duration.ofHours(1),
            Duration.ofMinutes(70), Duration.ofHours(24), 2, 1, 2, 3);
    static final String COUNTERS = MetricKeys.counters("shop", Resolution.MINUTE, 1);
    static final String PAGES = MetricKeys.pageVitalsPrefix("shop", Resolution.HOUR, 1);
    static final String PAGE_RANKS = MetricKeys.pageRanks("shop", Resolution.HOUR, 1);
    static final String MINUTE_PAGES = MetricKeys.pageVitalsPrefix("shop", Resolution.MINUTE, 1);
    static final String GROUPS = MetricKeys.errorGroups("shop", Resolution.MINUTE, 1);
    static final String GROUP_RANKS = MetricKeys.errorGroupRanks("shop", Resolution.MINUTE, 1);
    static final String SAMPLES = MetricKeys.errorSamples("shop", Resolution.MINUTE, 1);
    static final String OTHER = MetricKeys.OTHER;
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

    /**
     * A topic deleted and made again starts its offsets over: its log ends below the old topic's
     * marker, which therefore is not of it and is set aside; the new records count, and the marker
     * is theirs after.
     */
    @Test
    void aMarkerBeyondTheEndOfItsPartitionsLogIsSetAsideAndTheRecordsCount() {
        apply("track.error", 0, List.of(event(40, "a"), event(41, "b")));

        Applied remade = applyCounting(logEndingAt(2), event(0, "c"), event(1, "d"));

        assertThat(remade).isEqualTo(new Applied(2, 0));
        assertThat(redis.hget(COUNTERS, "events")).isEqualTo("4");
        assertThat(redis.hget(MetricKeys.progress("shop", "store-test"), "track.error:0")).isEqualTo("1");
        assertThat(applyCounting(logEndingAt(3), event(1, "d"), event(2, "e"))).isEqualTo(new Applied(1, 1));
    }

    /**
     * A new leader may report its log's end low for a moment after a failover: a redelivery the
     * dedup ring remembers is still never counted twice, whatever end is reported.
     */
    @Test
    void aRedeliveryTheRingRemembersIsNeverSetAsideWhateverTheEndSeen() {
        apply("track.error", 0, List.of(event(40, "a"), event(41, "b")));

        Applied redelivery = applyCounting(logEndingAt(2), event(40, "a"), event(41, "b"));

        assertThat(redelivery).isEqualTo(new Applied(0, 2));
        assertThat(redis.hget(COUNTERS, "events")).isEqualTo("2");
        assertThat(redis.hget(MetricKeys.progress("shop", "store-test"), "track.error:0")).isEqualTo("41");
    }

    /** A marker inside its log is of it: whatever else is said, what it passed stays counted, never twice. */
    @Test
    void aMarkerInsideItsLogIsNeverSetAside() {
        apply("track.error", 0, List.of(event(40, "a"), event(41, "b")));

        Applied redelivery = applyCounting(logEndingAt(43), event(41, "b"), event(42, "c"));

        assertThat(redelivery).isEqualTo(new Applied(1, 1));
        assertThat(redis.hget(COUNTERS, "events")).isEqualTo("3");
    }

    /**
     * A project that wrote little keeps a marker below the made-again log's end; the batches it was
     * written in reached further, which the log's end is compared with, so it is set aside too.
     */
    @Test
    void aQuietProjectsMarkerIsSetAsideByHowFarItsBatchesReached() {
        apply("track.error", 0, List.of(event("blog", 3, "a"), event(40, "b"), event(41, "c")));

        Applied remade = applyCounting(logEndingAt(10), event("blog", 2, "d"), event("blog", 3, "e"));

        assertThat(remade).isEqualTo(new Applied(2, 0));
        assertThat(redis.hget("track:{blog}:m:1", "events")).isEqualTo("3");
    }

    /** Another consumer (a zombie of the last assignment) moving the marker meanwhile keeps it from being set aside on an old reading. */
    @Test
    void aMarkerMovedSinceItWasComparedIsNotSetAside() {
        String progress = MetricKeys.progress("shop", "store-test");
        apply("track.error", 0, List.of(event(40, "a"), event(41, "b")));
        RedisMetricsStore.LogEnds movedMeanwhile = (topic, partition) -> {
            redis.hset(progress, "track.error:0", "45");
            return java.util.OptionalLong.of(2);
        };

        Applied raced = applyCounting(movedMeanwhile, event(0, "c"), event(1, "d"));

        assertThat(raced).isEqualTo(new Applied(0, 2));
        assertThat(redis.hget(progress, "track.error:0")).isEqualTo("45");
    }

    /** Kafka not telling where the log ends leaves the marker trusted, as it always was. */
    @Test
    void aLogEndKafkaDoesNotTellLeavesTheMarkerTrusted() {
        apply("track.error", 0, List.of(event(40, "a"), event(41, "b")));

        Applied unknown = applyCounting(RedisMetricsStore.LogEnds.UNKNOWN, event(0, "c"), event(1, "d"));

        assertThat(unknown).isEqualTo(new Applied(0, 2));
        assertThat(redis.hget(COUNTERS, "events")).isEqualTo("2");
    }

    /** However many projects' markers a partition's batch meets, its log's end is asked once, and only when a record is at or below one. */
    @Test
    void theLogsEndIsAskedOnceAPartitionAndOnlyForRecordsAtOrBelowAMarker() {
        apply("track.error", 0, List.of(event(40, "a"), event("blog", 41, "b")));
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        RedisMetricsStore.LogEnds counting = (topic, partition) -> {
            asked.incrementAndGet();
            return java.util.OptionalLong.of(2);
        };

        applyCounting(counting, event(50, "c"), event("blog", 51, "d"));
        assertThat(asked).hasValue(0);
        Applied remade = applyCounting(counting, event(0, "e"), event("blog", 1, "f"));

        assertThat(asked).hasValue(1);
        assertThat(remade).isEqualTo(new Applied(2, 0));
    }

    /** Counted before and re-sent by a client are told apart: a redelivery is the consumer's, a re-send the browser's. */
    @Test
    void recordsAtOrBelowTheMarkerAreToldApartFromAClientsReSends() {
        apply("track.error", 0, List.of(event(1, "a"), event(2, "b")));

        Applied mixed = applyCounting(logEndingAt(5), event(2, "b"), event(3, "a"), event(4, "c"));

        assertThat(mixed).isEqualTo(new Applied(1, 1));
        assertThat(redis.hget(COUNTERS, "events")).isEqualTo("3");
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
                .isEqualTo(Map.of("track.error:0", "6", "track.error:1", "11", "track.http:0", "8",
                        // how far the partition's batches reached: what tells a marker of a topic made again
                        "track.error:0^", "6", "track.error:1^", "11", "track.http:0^", "8"));
    }

    @Test
    void namesGroupsAndPagesWhileTheirBucketHasRoom() {
        apply("track.error", 0, List.of(error(1, "a", "fp-1"), error(2, "b", "fp-2"), error(3, "c", "fp-1"),
                pageView(4, "d", PAGES, "/one"), pageView(5, "e", PAGES, "/two")));

        assertThat(scores(GROUPS)).isEqualTo(Map.of("fp-1", 2L, "fp-2", 1L));
        assertThat(scores(GROUP_RANKS)).isEqualTo(Map.of("fp-1", 2L, "fp-2", 1L));
        assertThat(views(PAGES, "/one", "/two", OTHER)).containsExactly("1", "1", null);
    }

    @Test
    void givesTheLowestRankedGroupsPlaceToANewcomerAndMovesItsExactCountToOtherAndDropsItsSample() {
        apply("track.error", 0, List.of(error(1, "a", "fp-1"), error(2, "b", "fp-1"), error(3, "c", "fp-1"), error(4, "d", "fp-2")));

        apply("track.error", 0, List.of(error(5, "e", "fp-3")));

        assertThat(scores(GROUPS)).isEqualTo(Map.of("fp-1", 3L, "fp-3", 1L, OTHER, 1L));
        assertThat(redis.hgetAll(SAMPLES)).isEqualTo(Map.of("fp-1", "sample of a", "fp-3", "sample of e"));
        // The newcomer takes the rank it evicted plus its own count: an upper bound of its count in the bucket.
        assertThat(scores(GROUP_RANKS)).isEqualTo(Map.of("fp-1", 3L, "fp-3", 2L));
    }

    @Test
    void countsANameItNamesAgainFromItsReturnAndKeepsWhatItCountedBeforeInOther() {
        apply("track.error", 0, List.of(error(1, "a", "fp-1"), error(2, "b", "fp-2")));
        apply("track.error", 0, List.of(error(3, "c", "fp-3")));

        apply("track.error", 0, List.of(error(4, "d", "fp-1"), error(5, "e", "fp-1")));

        // fp-1 gave its place to fp-3, then took fp-2's: 2 since then, its first occurrence and fp-2's in (other).
        assertThat(scores(GROUPS)).isEqualTo(Map.of("fp-1", 2L, "fp-3", 1L, OTHER, 2L));
        assertThat(scores(GROUPS).values().stream().mapToLong(Long::longValue).sum()).isEqualTo(5);
    }

    @Test
    void movesAnEvictedPagesVitalsFieldByFieldIntoTheOtherPagesHashAndDeletesItsHash() {
        apply("track.performance", 0, List.of(pageView(1, "a", PAGES, "/one"), pageView(2, "b", PAGES, "/one"),
                pageView(3, "c", PAGES, "/one"), pageView(4, "d", PAGES, "/one"),
                pageView(5, "e", PAGES, "/two"), pageField(6, "f", PAGES, "/two", "vital:LCP:good")));
        apply("track.performance", 0, List.of(pageView(7, "g", PAGES, "/three")));

        apply("track.performance", 0, List.of(pageView(8, "h", PAGES, "/four"), pageView(9, "i", PAGES, "/four")));

        // /two (rank 2) went for /three, which took rank 3 and, still below /one's 4, went for /four.
        assertThat(scores(PAGE_RANKS)).isEqualTo(Map.of("/one", 4L, "/four", 5L));
        assertThat(redis.exists(PAGES + "/two")).isFalse();
        assertThat(redis.exists(PAGES + "/three")).isFalse();
        assertThat(redis.hgetAll(PAGES + OTHER)).isEqualTo(Map.of("views", "2", "vital:LCP:good", "1"));
        assertThat(views(PAGES, "/one", "/four")).containsExactly("4", "2");
    }

    @Test
    void givesANewcomerTheRankItEvictedPlusItsOwnCountSoTheNextNewcomerEvictsAnotherName() {
        apply("track.performance", 0, List.of(pageView(1, "a", PAGES, "/m"), pageView(2, "b", PAGES, "/n")));
        apply("track.performance", 0, List.of(pageView(3, "c", PAGES, "/a")));

        apply("track.performance", 0, List.of(pageView(4, "d", PAGES, "/z")));

        // /a sorts first, so had it taken a rank of its own count only (1, as /n's) it would have gone now.
        assertThat(scores(PAGE_RANKS)).isEqualTo(Map.of("/a", 2L, "/z", 2L));
        assertThat(views(PAGES, "/a", "/z", OTHER)).containsExactly("1", "1", "2");
    }

    @Test
    void neverRanksOtherSoNoNewcomerEvictsItAndItOnlyGrows() {
        List<Long> other = new ArrayList<>();
        for (int offset = 1; offset <= 6; offset++) {
            apply("track.error", 0, List.of(error(offset, "event-" + offset, "fp-" + offset)));
            other.add(scores(GROUPS).getOrDefault(OTHER, 0L));

            assertThat(redis.zrange(GROUP_RANKS, 0, -1)).doesNotContain(OTHER).hasSize(Math.min(offset, 2));
        }
        // A client naming its group (other) adds to it and takes no place either.
        apply("track.error", 0, List.of(error(7, "event-7", OTHER)));

        assertThat(other).containsExactly(0L, 0L, 1L, 2L, 3L, 4L);
        assertThat(scores(GROUPS)).isEqualTo(Map.of("fp-5", 1L, "fp-6", 1L, OTHER, 5L));
        assertThat(redis.zrange(GROUP_RANKS, 0, -1)).containsExactlyInAnyOrder("fp-5", "fp-6");
    }

    @Test
    void changesNothingWhenKafkaDeliversABatchThatEvictedNamesAgain() {
        apply("track.error", 0, List.of(error(1, "a", "fp-1"), error(2, "b", "fp-2"), pageView(3, "c", PAGES, "/one"),
                pageView(4, "d", PAGES, "/two")));
        List<RecordUpdates> evicting = List.of(error(5, "e", "fp-3"), error(6, "f", "fp-4"), pageView(7, "g", PAGES, "/three"));
        apply("track.error", 0, evicting);
        // Only the marker can tell now: the ring forgot the ids.
        redis.del(keys("track:{shop}:dedup*").toArray(String[]::new));
        Map<String, Object> before = contents();

        assertThat(apply("track.error", 0, evicting)).isZero();

        assertThat(contents()).isEqualTo(before);
        assertThat(scores(GROUPS)).isEqualTo(Map.of("fp-3", 1L, "fp-4", 1L, OTHER, 2L));
    }

    @Test
    void keepsFewerPagesApartInAMinuteBucketThanInAnHourBucket() {
        apply("track.performance", 0, List.of(pageView(1, "a", PAGES, "/one"), pageView(2, "b", MINUTE_PAGES, "/one"),
                pageView(3, "c", PAGES, "/two"), pageView(4, "d", MINUTE_PAGES, "/two")));

        assertThat(redis.zrange(PAGE_RANKS, 0, -1)).containsExactlyInAnyOrder("/one", "/two");
        assertThat(redis.zrange(MetricKeys.pageRanks("shop", Resolution.MINUTE, 1), 0, -1)).containsExactly("/two");
        assertThat(views(MINUTE_PAGES, "/one", "/two", OTHER)).containsExactly(null, "1", "1");
    }

    /** The ranks are the bucket's (the prefix without its colon, plus the suffix), so they age out with the bucket. */
    @Test
    void keepsPagesApartPerBucketSoThatAnEarlierBucketsPagesHoldNoPlaceInALaterOne() {
        String laterBucket = MetricKeys.pageVitalsPrefix("shop", Resolution.HOUR, 2);
        apply("track.performance", 0, List.of(pageView(1, "a", PAGES, "/junk-1"), pageView(2, "b", PAGES, "/junk-2")));

        apply("track.performance", 0, List.of(pageView(3, "c", laterBucket, "/shop/")));

        assertThat(redis.zrange(PAGE_RANKS, 0, -1)).containsExactly("/junk-1", "/junk-2");
        assertThat(redis.zrange(MetricKeys.pageRanks("shop", Resolution.HOUR, 2), 0, -1)).containsExactly("/shop/");
        assertThat(views(laterBucket, "/shop/", OTHER)).containsExactly("1", null);
        assertThat(redis.ttl(MetricKeys.pageRanks("shop", Resolution.HOUR, 2))).isPositive();
    }

    /** A group evicted by a later group of the same batch never gets a sample, nor a member. */
    @Test
    void keepsASampleOnlyOfTheGroupsItsBucketNames() {
        apply("track.error", 0, List.of(error(1, "a", "fp-1"), error(2, "b", "fp-2"), error(3, "c", "fp-3"), error(4, "d", "fp-1")));

        assertThat(redis.hgetAll(SAMPLES)).isEqualTo(Map.of("fp-1", "sample of a", "fp-3", "sample of c"));
        assertThat(scores(GROUPS)).isEqualTo(Map.of("fp-1", 2L, "fp-3", 1L, OTHER, 1L));
        assertThat(redis.ttl(SAMPLES)).isPositive();
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
        store = new RedisMetricsStore(redis, properties, meters, Clock.fixed(NOON, ZoneOffset.UTC), apikey -> 1,
                Optional.of(Clock.fixed(NOON, ZoneOffset.UTC)));
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
        // Evictions of names counted in an earlier batch, which move their counts to (other).
        apply("track.error", 0, List.of(error(8, "h", "fp-4"), pageView(9, "i", PAGES, "/four"), pageView(10, "j", MINUTE_PAGES, "/one")));

        assertThat(keys("*")).isNotEmpty().allSatisfy(key -> assertThat(redis.ttl(key)).as(key).isPositive());
    }

    /**
     * A new project's first day has nothing counted before this version: the script records it as
     * whole, so reads take it from its day bucket and its hours age out with the hour retention.
     */
    @Test
    void recordsTheFirstDayOfANewProjectAsWholeSoItsHoursAgeOutAsAnyOthers() {
        store = new RedisMetricsStore(redis, DEFAULT_RETENTIONS, meters, Clock.fixed(NOON, ZoneOffset.UTC));
        long day = Resolution.DAY.bucketOf(NOON);
        String hour = MetricKeys.counters("shop", Resolution.HOUR, Resolution.HOUR.bucketOf(NOON));
        KeyExpiries expiries = KeyExpiries.inTimeOf(redis, NOON);

        apply("track.error", 0, List.of(eventOfTheDay(1, "a", day, hour)));

        assertThat(redis.hget(MetricKeys.dayBuckets("shop"), MetricKeys.FIRST_DAY)).isEqualTo(String.valueOf(1 - day));
        expiries.assertExpiresAt(hour, Instant.parse("2026-05-05T13:00:00Z"));
    }

    /**
     * A day the version before day buckets counted part of is read from its hours, so those this
     * version writes must live as long as the day buckets, or a week's window would lose that
     * day's counts once the hour retention passed: until the day's end plus the day retention,
     * however late they are written. The days after it age out as usual.
     */
    @Test
    void keepsTheHoursOfAFirstDayCountedPartlyWithoutDayBucketsAsLongAsItsDayBucket() {
        Instant twoDaysLater = NOON.plus(Duration.ofDays(2));
        store = new RedisMetricsStore(redis, DEFAULT_RETENTIONS, meters, Clock.fixed(twoDaysLater, ZoneOffset.UTC));
        long day = Resolution.DAY.bucketOf(NOON);
        String morning = MetricKeys.counters("shop", Resolution.HOUR, Resolution.HOUR.bucketOf(NOON) - 3);
        String noon = MetricKeys.counters("shop", Resolution.HOUR, Resolution.HOUR.bucketOf(NOON));
        String tomorrow = MetricKeys.counters("shop", Resolution.HOUR, Resolution.HOUR.bucketOf(NOON) + 24);
        redis.hset(morning, "events", "5");
        redis.expire(morning, Duration.ofDays(30).toSeconds());
        KeyExpiries expiries = KeyExpiries.inTimeOf(redis, twoDaysLater);

        apply("track.error", 0, List.of(eventOfTheDay(1, "a", day, noon)));
        apply("track.error", 0, List.of(eventOfTheDay(2, "b", day + 1, tomorrow)));

        assertThat(redis.hget(MetricKeys.dayBuckets("shop"), MetricKeys.FIRST_DAY)).isEqualTo(String.valueOf(-day));
        expiries.assertExpiresAt(noon, Instant.ofEpochMilli((day + 1) * Duration.ofDays(1).toMillis()).plus(Duration.ofDays(30)));
        expiries.assertExpiresAt(tomorrow, Instant.ofEpochMilli((Resolution.HOUR.bucketOf(NOON) + 25) * 3_600_000L)
                .plus(Duration.ofHours(24)));
    }

    /**
     * The first day is recorded once. A record of an earlier day that comes later (a partition
     * lagging across midnight at the upgrade, a redriven dead letter keeping its received-at) must
     * not move it back: the first day, part of which the version before counted, would then be
     * read as whole from its day bucket. The earlier day is read from its hours, which live as
     * long as its day bucket.
     */
    @Test
    void recordsTheFirstDayOnceSoARecordOfAnEarlierDayDoesNotMoveItBack() {
        store = new RedisMetricsStore(redis, DEFAULT_RETENTIONS, meters, Clock.fixed(NOON, ZoneOffset.UTC));
        long day = Resolution.DAY.bucketOf(NOON);
        String morning = MetricKeys.counters("shop", Resolution.HOUR, Resolution.HOUR.bucketOf(NOON) - 3);
        String noon = MetricKeys.counters("shop", Resolution.HOUR, Resolution.HOUR.bucketOf(NOON));
        String lateYesterday = MetricKeys.counters("shop", Resolution.HOUR, Resolution.HOUR.bucketOf(NOON) - 13);
        redis.hset(morning, "events", "5");
        redis.expire(morning, Duration.ofDays(30).toSeconds());
        KeyExpiries expiries = KeyExpiries.inTimeOf(redis, NOON);

        apply("track.error", 0, List.of(eventOfTheDay(1, "a", day, noon)));
        apply("track.error", 1, List.of(eventOfTheDay(1, "b", day - 1, lateYesterday)));

        assertThat(redis.hget(MetricKeys.dayBuckets("shop"), MetricKeys.FIRST_DAY)).isEqualTo(String.valueOf(-day));
        expiries.assertExpiresAt(lateYesterday, Instant.ofEpochMilli(day * Duration.ofDays(1).toMillis()).plus(Duration.ofDays(30)));
    }

    /**
     * A consumer catching up (or a replay) writes buckets long after their end: each expires at its
     * end plus its retention, as if written in time, so no more buckets are alive than the
     * retentions hold, and one past its retention, which no window reads, is not written at all.
     */
    @Test
    void aBucketWrittenLateExpiresAtItsEndPlusItsRetentionAndOnePastItIsNotWritten() {
        store = new RedisMetricsStore(redis, DEFAULT_RETENTIONS, meters, Clock.fixed(NOON, ZoneOffset.UTC));
        Instant tenOClock = NOON.minus(Duration.ofHours(2));
        MetricKeys.Bucket minute = new MetricKeys.Bucket(Resolution.MINUTE, Resolution.MINUTE.bucketOf(tenOClock));
        MetricKeys.Bucket hour = new MetricKeys.Bucket(Resolution.HOUR, Resolution.HOUR.bucketOf(tenOClock));
        String minuteCounters = MetricKeys.counters("shop", Resolution.MINUTE, minute.index());
        String hourCounters = MetricKeys.counters("shop", Resolution.HOUR, hour.index());
        KeyExpiries expiries = KeyExpiries.inTimeOf(redis, NOON);

        apply("track.error", 0, List.of(new RecordUpdates(1, "shop", "a", List.of(
                new MetricUpdate(Operation.HINCRBY, minuteCounters, "events", "1", DEFAULT_RETENTIONS.minuteBucketRetention().toSeconds(),
                        minute),
                new MetricUpdate(Operation.HINCRBY, hourCounters, "events", "1", DEFAULT_RETENTIONS.hourBucketRetention().toSeconds(),
                        hour)))));

        assertThat(redis.exists(minuteCounters)).isFalse();
        // Ended at 11:00, an hour before the write: it expires at 11:00 tomorrow.
        expiries.assertExpiresAt(hourCounters, Instant.parse("2026-05-05T11:00:00Z"));
        assertThat(redis.hget(MetricKeys.progress("shop", "store-test"), "track.error:0")).isEqualTo("1");
    }

    /** Minute buckets see fewer names than hours, and are many more: they may keep fewer error groups and failing requests apart. */
    @Test
    void namesAtMostTheMinuteCapOfErrorGroupsInAMinuteBucketAndTheOtherCapElsewhere() {
        var fewerInMinutes = new AggregatorProperties("store-test", null, Duration.ofHours(1), Duration.ofHours(48), Duration.ofDays(30),
                2, 1, 2, 3, Duration.ofDays(30), 1, AggregatorProperties.Reads.DEFAULTS);
        store = new RedisMetricsStore(redis, fewerInMinutes, meters, Clock.fixed(NOON, ZoneOffset.UTC));
        String hourGroups = MetricKeys.errorGroups("shop", Resolution.HOUR, 1);

        apply("track.error", 0, List.of(error(1, "a", "f1"), error(2, "b", "f2"), error(3, "c", "f3"),
                new RecordUpdates(4, "shop", "d", List.of(new MetricUpdate(Operation.ZINCRBY, hourGroups, "f1", "1", 60))),
                new RecordUpdates(5, "shop", "e", List.of(new MetricUpdate(Operation.ZINCRBY, hourGroups, "f2", "1", 60)))));

        assertThat(scores(GROUPS)).hasSize(2).containsKey(OTHER).containsValue(2L);
        assertThat(scores(hourGroups)).containsOnlyKeys("f1", "f2");
    }

    /** An event's counters in one hour bucket, and the first day of day buckets as EventCounts writes it. */
    private static RecordUpdates eventOfTheDay(long offset, String eventId, long day, String hourCounters) {
        long hour = Long.parseLong(hourCounters.substring(MetricKeys.bucketsPrefix("shop", Resolution.HOUR).length()));
        return new RecordUpdates(offset, "shop", eventId, List.of(new MetricUpdate(Operation.HINCRBY, hourCounters, "events", "1",
                        DEFAULT_RETENTIONS.hourBucketRetention().toSeconds(), new MetricKeys.Bucket(Resolution.HOUR, hour)),
                new MetricUpdate(Operation.FIRST_DAY, MetricKeys.dayBuckets("shop"), MetricKeys.FIRST_DAY, String.valueOf(-day),
                        DEFAULT_RETENTIONS.dayBucketRetention().toSeconds())));
    }

    /** As {@link #apply}, on track.error's partition 0, telling the records counted before apart, with Kafka saying where its log ends. */
    private Applied applyCounting(RedisMetricsStore.LogEnds logEnds, RecordUpdates... records) {
        return store.applyCounting(List.of(new PartitionUpdates("track.error", 0, List.of(records))), logEnds).get(0);
    }

    /** Kafka saying the partition's log ends at {@code end} (the offset its next record takes). */
    private static RedisMetricsStore.LogEnds logEndingAt(long end) {
        return (topic, partition) -> java.util.OptionalLong.of(end);
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
        return pageField(offset, eventId, bucketPrefix, page, "views");
    }

    private static RecordUpdates pageField(long offset, String eventId, String bucketPrefix, String page, String field) {
        return new RecordUpdates(offset, "shop", eventId, List.of(new MetricUpdate(Operation.PAGE_HINCRBY, bucketPrefix, field, page, 60)));
    }

    /** The views field of each page's hash, null where it has none. */
    private static List<String> views(String bucketPrefix, String... pages) {
        List<String> views = new ArrayList<>();
        for (String page : pages) {
            views.add(redis.hget(bucketPrefix + page, "views"));
        }
        return views;
    }

    private static Map<String, Long> scores(String key) {
        Map<String, Long> scores = new TreeMap<>();
        redis.zrangeWithScores(key, 0, -1).forEach(tuple -> scores.put(tuple.getElement(), (long) tuple.getScore()));
        return scores;
    }

    /** What every key holds, by key: enough to see that nothing changed. */
    private static Map<String, Object> contents() {
        Map<String, Object> contents = new TreeMap<>();
        for (String key : keys("*")) {
            contents.put(key, switch (redis.type(key)) {
                case "hash" -> redis.hgetAll(key);
                case "zset" -> scores(key);
                case "set" -> new TreeSet<>(redis.smembers(key));
                default -> redis.type(key);
            });
        }
        return contents;
    }

    private static RecordUpdates error(long offset, String eventId, String fingerprint) {
        return new RecordUpdates(offset, "shop", eventId, List.of(
                new MetricUpdate(Operation.ZINCRBY, GROUPS, fingerprint, "1", 60),
                new MetricUpdate(Operation.SAMPLE, GROUPS + MetricKeys.SAMPLES_SUFFIX, fingerprint, "sample of " + eventId, 60)));
    }
}
