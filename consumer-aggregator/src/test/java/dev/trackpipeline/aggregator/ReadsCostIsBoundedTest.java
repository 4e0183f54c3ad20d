package dev.trackpipeline.aggregator;

import static dev.trackpipeline.aggregator.JunkFlood.APIKEY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.aggregator.query.MetricWindow;
import dev.trackpipeline.aggregator.query.MetricsReader;
import dev.trackpipeline.aggregator.query.PageCosts;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisPooled;

/**
 * The apikey is public, so an attacker can fill every bucket up to its caps; a read must cost
 * what its window's cover costs, never minutes × members. Redis is filled here as such an attacker
 * would leave it: 48 hours of minute buckets whose failing-request sets are full of long names
 * (the review that found this ran the aggregator out of memory with 500 a bucket at 24 h), and a
 * week of hour and day buckets whose pages and failing requests are at the cap. Each read's cost is counted by Redis
 * itself (commands, bytes sent back), not timed.
 */
class ReadsCostIsBoundedTest {

    static final Instant NOW = Instant.parse("2026-05-04T10:30:30Z");
    static final int REQUESTS_PER_MINUTE = 100;
    static final int PAGES_PER_BUCKET = JunkFlood.PROPERTIES.maxPagesPerProject();
    static final int CANDIDATES = AggregatorProperties.Reads.DEFAULTS.slowestPageCandidates();

    static final JunkFlood store = new JunkFlood(NOW);
    static final JedisPooled redis = store.redis;
    static final MetricsReader reader = store.reader;

    @BeforeAll
    static void fillEveryBucketAsAnAttackerCould() {
        AttackerFilledBuckets.fill(redis, NOW, REQUESTS_PER_MINUTE, PAGES_PER_BUCKET);
    }

    @AfterAll
    static void stop() {
        store.close();
    }

    @Test
    void theLargestFailingRequestsOfADayAreAddedUpInRedisAndOnlyTheTopOnesSentBack() {
        MetricWindow day = MetricWindow.parse("24h");
        long planted = (long) day.cover(NOW).size() * JunkFlood.PROPERTIES.maxGroupsPerBucket() * 160;

        Cost cost = Cost.of(redis, () -> reader.pageCosts(APIKEY, day, NOW, 20));

        assertThat(((PageCosts) cost.result()).httpFailures()).hasSize(20);
        // Per bucket: its counters, resource durations and heap, and the ZRANGE the script runs on its failing requests.
        assertThat(cost.commands()).isLessThanOrEqualTo(4L * day.cover(NOW).size() + 10);
        // Reading every member, as before, sent back all of them: about 1.2 MB here.
        assertThat(cost.bytesSent()).isLessThan(256 * 1024).isLessThan(planted / 100);
    }

    @Test
    void theSlowestPagesOfAWeekReadTheCandidatesHistogramsOnly() {
        MetricWindow week = MetricWindow.parse("7d");
        int buckets = week.cover(NOW).size();

        Cost cost = Cost.of(redis, () -> reader.slowestPages(APIKEY, "LCP", week, NOW, 10));

        assertThat((List<?>) cost.result()).hasSize(10);
        assertThat(cost.commands()).isLessThanOrEqualTo((long) buckets * (2 + CANDIDATES) + 10)
                .isLessThan((long) buckets * PAGES_PER_BUCKET);
    }

    /** The target: one dashboard refresh at 7 days (what dashboard.js asks for: a point a day) in at most 5,000 Redis commands. */
    @Test
    void oneDashboardRefreshOverAWeekSendsAtMostFiveThousandCommands() {
        MetricWindow week = MetricWindow.parse("7d");
        Duration step = Duration.ofDays(1);

        Cost cost = Cost.of(redis, () -> {
            var overview = reader.overview(APIKEY, week, NOW);
            reader.topErrors(APIKEY, week, NOW, 10);
            reader.slowestPages(APIKEY, "LCP", week, NOW, 10);
            reader.timeSeries(APIKEY, overview.byType().keySet().stream().map(type -> "type:" + type).toList(), week, step, "1d", NOW);
            reader.timeSeries(APIKEY, List.of("errors", "sessions", "whiteScreens"), week, step, "1d", NOW);
            return overview;
        });

        System.out.printf("One dashboard refresh at 7d: %,d Redis commands, %,d bytes sent back%n", cost.commands(), cost.bytesSent());
        assertThat(cost.commands()).isLessThanOrEqualTo(5_000);
    }

    /**
     * A Redis that refuses writes (full under noeviction, as a flood could leave it, or a replica)
     * must still answer the reads, which is when an operator most needs them: no read writes.
     */
    @Test
    void readsStillAnswerWhenRedisRefusesWrites() {
        redis.configSet("maxmemory-policy", "noeviction");
        redis.configSet("maxmemory", "1mb");
        try {
            assertThat(reader.pageCosts(APIKEY, MetricWindow.parse("48h"), NOW, 20).httpFailures()).hasSize(20);
            assertThat(reader.slowestPages(APIKEY, "LCP", MetricWindow.parse("7d"), NOW, 10)).hasSize(10);
            assertThat(reader.topErrors(APIKEY, MetricWindow.parse("24h"), NOW, 10)).isEmpty();
        } finally {
            redis.configSet("maxmemory", "0");
        }
    }

    /** What one read cost Redis: the commands it ran and the bytes it sent back, from INFO. */
    record Cost(Object result, long commands, long bytesSent) {

        static Cost of(JedisPooled redis, Supplier<?> read) {
            long commandsBefore = commands(redis);
            long bytesBefore = bytesSent(redis);
            Object result = read.get();
            // The INFO calls between the two readings count themselves: two commands, a few KB.
            return new Cost(result, commands(redis) - commandsBefore - 2, bytesSent(redis) - bytesBefore);
        }

        private static long commands(JedisPooled redis) {
            return redis.info("commandstats").lines().filter(line -> line.startsWith("cmdstat_"))
                    .mapToLong(line -> Long.parseLong(line.replaceFirst("^cmdstat_[^:]+:calls=(\\d+),.*", "$1"))).sum();
        }

        private static long bytesSent(JedisPooled redis) {
            return redis.info("stats").lines().filter(line -> line.startsWith("total_net_output_bytes:"))
                    .mapToLong(line -> Long.parseLong(line.substring("total_net_output_bytes:".length()).trim())).findFirst().orElseThrow();
        }
    }
}
