package dev.trackpipeline.aggregator.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trackpipeline.aggregator.AggregatorProperties;
import dev.trackpipeline.aggregator.metrics.MergedUpdates.Target;
import dev.trackpipeline.aggregator.metrics.MetricKeys.Resolution;
import dev.trackpipeline.aggregator.metrics.MetricUpdate.Operation;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisMonitor;
import redis.clients.jedis.JedisPooled;

/**
 * What the counting script declares in {@code KEYS}: every key it touches but the hash of a page
 * a full bucket evicts, so that Redis Cluster checks them against the node that serves them (and
 * a node a project's slot is leaving answers TRYAGAIN rather than run it: RedisClusterCountingTest).
 */
class ScriptKeysTest {

    static final EmbeddedRedisServer server = EmbeddedRedisServer.start(Optional.empty(), "127.0.0.1", FreePorts.one());
    /** Two pages an hour bucket keeps apart, one a minute bucket, two error groups a bucket: the real SDK's events overflow them. */
    static final AggregatorProperties properties = new AggregatorProperties("keys-test", null, Duration.ofHours(1), Duration.ofHours(48),
            Duration.ofDays(30), 2, 1, 2, 1_000);
    static final Instant NOW = Instant.parse("2026-12-01T12:00:30Z");

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void declaresTheProgressHashTheDedupRingTheDayBucketsStartAndTheSlotsNameFirstThenTheRingsSlots() {
        assertThat(new ScriptKeys("shop", "group", 2).keys()).containsExactly("track:{shop}:progress:group", "track:{shop}:dedup",
                "track:{shop}:day-buckets", "track:{shop}", "track:{shop}:dedup:0", "track:{shop}:dedup:1");
    }

    @Test
    void declaresWhatTheScriptNamesAfterAnUpdatesKeyEachOnceAndNamesTheKeyByItsIndexFromOne() {
        ScriptKeys keys = new ScriptKeys("shop", "group", 0);
        String pages = MetricKeys.pageVitalsPrefix("shop", Resolution.HOUR, 7);
        String groups = MetricKeys.errorGroups("shop", Resolution.HOUR, 7);

        int page = keys.declare(new Target(Operation.PAGE_HINCRBY, pages, "vital:LCP:good", "/home"), "1");
        int samePage = keys.declare(new Target(Operation.PAGE_HINCRBY, pages, "vital:CLS:good", "/home"), "1");
        int group = keys.declare(new Target(Operation.ZINCRBY, groups, "fingerprint", ""), "1");
        int sample = keys.declare(new Target(Operation.SAMPLE, groups + MetricKeys.SAMPLES_SUFFIX, "fingerprint", ""), "title");

        assertThat(keys.keys()).containsExactly("track:{shop}:progress:group", "track:{shop}:dedup", "track:{shop}:day-buckets",
                "track:{shop}", pages + "/home", pages + "(other)", MetricKeys.pageRanks("shop", Resolution.HOUR, 7), pages,
                MetricKeys.errorGroupRanks("shop", Resolution.HOUR, 7), groups + MetricKeys.SAMPLES_SUFFIX, groups);
        assertThat(List.of(page, samePage, group, sample)).containsExactly(8, 8, 11, 10);
    }

    /** The script looks for the hour buckets of the first day it records, to tell whether an earlier version counted that day. */
    @Test
    void declaresTheHourBucketsOfTheDayAFirstDayUpdateNames() {
        ScriptKeys keys = new ScriptKeys("shop", "group", 0);

        keys.declare(new Target(Operation.FIRST_DAY, MetricKeys.dayBuckets("shop"), MetricKeys.FIRST_DAY, ""), "-2");

        assertThat(keys.keys()).hasSize(4 + 24).contains(MetricKeys.counters("shop", Resolution.HOUR, 48),
                MetricKeys.counters("shop", Resolution.HOUR, 71)).doesNotContain(MetricKeys.counters("shop", Resolution.HOUR, 72));
    }

    /**
     * Redis's MONITOR shows every command a script runs: the real SDK's events counted twice over
     * (the second time with pages and error groups that evict the first's from their full buckets),
     * and every key any of the scripts touched was declared by that script's call, but the hashes
     * of the pages evicted, which the script read (HGETALL) and deleted, never created.
     */
    @Test
    void everyKeyTheScriptTouchesIsDeclaredButTheHashOfAnEvictedPage() throws Exception {
        List<String> commands = new CopyOnWriteArrayList<>();
        Jedis monitored = new Jedis(server.host(), server.port());
        Thread monitor = new Thread(() -> {
            try {
                monitored.monitor(new JedisMonitor() {
                    @Override
                    public void onCommand(String command) {
                        commands.add(command);
                    }
                });
            } catch (RuntimeException closed) {
                // the test is done with it
            }
        });
        monitor.start();
        try (JedisPooled redis = new JedisPooled(server.host(), server.port())) {
            redis.flushAll();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                redis.echo("monitoring?");
                return commands.stream().anyMatch(command -> command.contains("\"monitoring?\""));
            });
            Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
            RedisMetricsStore store = new RedisMetricsStore(redis, properties, new SimpleMeterRegistry(), clock);
            FixtureUpdates fixtures = new FixtureUpdates(properties, NOW);

            store.apply(List.of(new PartitionUpdates("track.error", 0, fixtures.interleaved(List.of("shop"), FixtureUpdates.count()))));
            store.apply(List.of(new PartitionUpdates("track.error", 0, newcomers(1_000))));
            redis.echo("monitored.");
            await().atMost(Duration.ofSeconds(10)).until(() -> commands.stream().anyMatch(command -> command.contains("\"monitored.\"")));
        } finally {
            monitored.close();
            monitor.join(10_000);
        }

        Map<String, Set<String>> undeclared = undeclaredKeysByCommand(commands);
        assertThat(undeclared).as("undeclared keys touched, by command").containsOnlyKeys("HGETALL", "DEL");
        assertThat(undeclared.get("HGETALL")).as("evicted pages' hashes").isNotEmpty().allSatisfy(key ->
                assertThat(key).startsWith(MetricKeys.pageVitalsPrefix("shop", Resolution.HOUR, NOW.toEpochMilli() / 3_600_000)));
        assertThat(undeclared.get("DEL")).isSubsetOf(undeclared.get("HGETALL"));
    }

    /** Pages and error groups the fixtures do not name, in the same buckets, counted often enough to take the full buckets' places. */
    private static List<RecordUpdates> newcomers(long firstOffset) {
        long hour = NOW.toEpochMilli() / 3_600_000;
        MetricKeys.Bucket bucket = new MetricKeys.Bucket(Resolution.HOUR, hour);
        String pages = MetricKeys.pageVitalsPrefix("shop", Resolution.HOUR, hour);
        String groups = MetricKeys.errorGroups("shop", Resolution.HOUR, hour);
        List<RecordUpdates> records = new ArrayList<>();
        for (int n = 0; n < 30; n++) {
            records.add(new RecordUpdates(firstOffset + n, "shop", "newcomer-" + n, List.of(
                    new MetricUpdate(Operation.PAGE_HINCRBY, pages, "vital:LCP:good", "/newcomer-" + n % 3, 3600, bucket),
                    new MetricUpdate(Operation.ZINCRBY, groups, "newcomer-group-" + n % 3, "1", 3600, bucket),
                    new MetricUpdate(Operation.SAMPLE, groups + MetricKeys.SAMPLES_SUFFIX, "newcomer-group-" + n % 3, "sample", 3600,
                            bucket))));
        }
        return records;
    }

    /** A quoted argument, escapes and all: unrolled and possessive, as a script's text is too long for a backtracking loop. */
    private static final Pattern ARGUMENT = Pattern.compile("\"([^\"\\\\]*+(?:\\\\.[^\"\\\\]*+)*+)\"");

    /**
     * From MONITOR's lines: each EVAL with its declared keys, then the commands its script ran
     * ({@code [0 lua]}), whose first argument is a key (all but TIME).
     */
    private static Map<String, Set<String>> undeclaredKeysByCommand(List<String> lines) {
        Map<String, Set<String>> undeclared = new TreeMap<>();
        Set<String> declared = null;
        int scripts = 0;
        for (String line : lines) {
            List<String> arguments = new ArrayList<>();
            Matcher matcher = ARGUMENT.matcher(line);
            while (matcher.find()) {
                arguments.add(matcher.group(1).replace("\\\"", "\"").replace("\\\\", "\\"));
            }
            if (arguments.isEmpty()) {
                continue;
            }
            String command = arguments.get(0).toUpperCase(java.util.Locale.ROOT);
            if (!line.contains(" lua] ")) {
                declared = null;
                if (command.equals("EVAL")) {
                    int numkeys = Integer.parseInt(arguments.get(2));
                    declared = new LinkedHashSet<>(arguments.subList(3, 3 + numkeys));
                    scripts++;
                }
            } else if (declared != null && !command.equals("TIME") && !declared.contains(arguments.get(1))) {
                undeclared.computeIfAbsent(command, unused -> new TreeSet<>()).add(arguments.get(1));
            }
        }
        assertThat(scripts).as("scripts run").isGreaterThanOrEqualTo(2);
        return undeclared;
    }
}
