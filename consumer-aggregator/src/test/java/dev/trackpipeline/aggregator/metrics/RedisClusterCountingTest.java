package dev.trackpipeline.aggregator.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.trackpipeline.aggregator.AggregatorProperties;
import dev.trackpipeline.aggregator.metrics.RedisMetricsStore.PartitionUpdates;
import dev.trackpipeline.aggregator.metrics.RedisMetricsStore.RecordUpdates;
import dev.trackpipeline.aggregator.query.MetricWindow;
import dev.trackpipeline.aggregator.query.MetricsReader;
import dev.trackpipeline.aggregator.query.ReadConnections;
import dev.trackpipeline.infra.EmbeddedRedisCluster;
import dev.trackpipeline.infra.FreePorts;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.MigrateParams;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * Counting on a real Redis Cluster: three masters with a replica each (redis-server processes),
 * the aggregator's client the Jedis cluster client, every batch's writes held by a replica (WAIT)
 * before it counts as done. Each project's keys share its hash tag, so each project lives on one
 * master and its script and reads run there; projects are spread over all three.
 */
class RedisClusterCountingTest {

    static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MINUTES);

    @TempDir
    static Path dir;
    static EmbeddedRedisCluster cluster;
    static AggregatorProperties properties;
    static RedisConnections connections;
    static UnifiedJedis redis;
    static FixtureUpdates fixtures;

    @BeforeAll
    static void startTheCluster() {
        int first = FreePorts.forRedisCluster();
        List<Integer> ports = IntStream.range(first, first + 6).boxed().toList();
        cluster = EmbeddedRedisCluster.start(dir.resolve("redis-cluster"), "127.0.0.1", 3, 1, ports);
        properties = new AggregatorProperties("cluster-test", new AggregatorProperties.Redis("127.0.0.1", 0, null, 0, false)
                .inCluster(cluster.nodes().subList(0, 1), 1), Duration.ofHours(1), Duration.ofMinutes(70), Duration.ofHours(24), 200, 500,
                10_000);
        connections = RedisConnections.onFirstUse(RedisClientSettings.of(properties)::connect);
        fixtures = new FixtureUpdates(properties, NOW);
        redis = connections.client();
    }

    /** Whatever the test before did to it: a failover leaves a master without a replica for a while. */
    @BeforeEach
    void aWholeCluster() {
        cluster.awaitHealthy(Duration.ofSeconds(60));
        connections.routing().renew();
    }

    @AfterAll
    static void stopTheCluster() {
        if (connections != null) {
            connections.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void everyProjectIsCountedOnceOnTheMasterThatOwnsItAndReadBackThroughTheCluster() {
        List<String> projects = projectsOnEveryMaster("read", 2);
        RedisMetricsStore store = store(properties);
        List<RecordUpdates> records = fixtures.interleaved(projects, 12);

        assertThat(store.apply(List.of(new PartitionUpdates("track.error", 0, records)))).containsExactly((long) records.size());
        assertThat(store.apply(List.of(new PartitionUpdates("track.error", 0, records)))).as("the same batch delivered again")
                .containsExactly(0L);

        try (ReadConnections reads = new ReadConnections(properties)) {
            MetricsReader reader = new MetricsReader(reads, properties);
            for (String project : projects) {
                assertThat(reader.overview(project, MetricWindow.parse("1h"), NOW).events()).as(project).isEqualTo(12);
            }
        }
    }

    /**
     * A master SIGKILLed while batches are applied: the batches that fail are applied again (as the
     * listener does after an outage) once its replica has taken over, and every project, the lost
     * master's too, holds each event once. Only writes a replica acknowledged counted as done, so
     * the promoted replica has every one of them.
     */
    @Test
    void aMasterKilledWhileCountingLosesNoCountAndCountsNothingTwice() throws Exception {
        List<String> projects = projectsOnEveryMaster("failover", 2);
        int victim = cluster.masterOf(slotOf(projects.get(0)));
        RedisMetricsStore store = store(properties);
        RedisOutages outages = new RedisOutages(connections);
        int batches = 30;
        int perProjectAndBatch = 2;

        CompletableFuture<Void> supervisor = null;
        for (int batch = 0; batch < batches; batch++) {
            if (batch == 10) {
                cluster.kill(victim);
                // As a supervisor would: the killed node started again, once its replica has taken its
                // place, to follow it. Until then the promoted master has no replica to hold its writes.
                supervisor = CompletableFuture.runAsync(() -> {
                    await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
                            .until(() -> cluster.masterOf(slotOf(projects.get(0))) != victim);
                    cluster.restart(victim);
                });
            }
            List<PartitionUpdates> poll = List.of(new PartitionUpdates("track.error", 1, fixtures.interleaved(projects, perProjectAndBatch)));
            applyRidingOutOutages(store, outages, poll);
        }

        supervisor.get(2, TimeUnit.MINUTES);
        assertThat(cluster.masterOf(slotOf(projects.get(0)))).as("the killed master's replica serves its slots").isNotEqualTo(victim);
        for (String project : projects) {
            assertThat(eventsCounted(project)).as(project).isEqualTo((long) batches * perProjectAndBatch);
        }
        cluster.awaitHealthy(Duration.ofSeconds(30));
    }

    /**
     * A replica that does not acknowledge in time (here, stopped): the batch fails as an outage,
     * although its master applied it, and is applied again once the replica answers, which finds
     * it applied, counts nothing twice, and waits for the replica to hold it.
     */
    @Test
    void writesNoReplicaAcknowledgedInTimeAreAnOutageAndTheirRetryCountsNothingTwice() throws Exception {
        String project = projectsOnEveryMaster("replica-stopped", 1).get(0);
        int master = cluster.masterOf(slotOf(project));
        int replica = cluster.replicaOf(master);
        RedisMetricsStore store = store(impatient());
        List<PartitionUpdates> poll = List.of(new PartitionUpdates("track.error", 2, fixtures.interleaved(List.of(project), 5)));

        cluster.pause(replica);
        try {
            assertThatThrownBy(() -> store.apply(poll)).isInstanceOf(ReplicasBehindException.class)
                    .hasMessage("Writes to Redis 127.0.0.1:" + master + " (0 of 1) reached fewer replicas than "
                            + "track.aggregator.redis.replicas-to-acknowledge (REDIS_WAIT_REPLICAS) asks within 300 ms: the batch is "
                            + "applied again once they answer")
                    .satisfies(failure -> assertThat(new RedisOutages(connections).isOutage(failure)).isTrue());
        } finally {
            cluster.resume(replica);
        }

        // with the patience of the default settings: the replica resumed on a loaded machine may take a moment
        assertThat(store(properties).apply(poll)).as("applied before the replica acknowledged: found applied").containsExactly(0L);
        assertThat(eventsCounted(project)).isEqualTo(5);
    }

    /**
     * A master that stops answering while a batch is sent to it: the batch fails as an outage (not
     * as records that cannot be stored, which would be set aside), and once the master answers
     * again, or its replica has taken over, every event of the batch is counted once.
     */
    @Test
    void aMasterThatStopsAnsweringMidBatchIsAnOutageNotABadRecord() throws Exception {
        String project = projectsOnEveryMaster("master-stopped", 1).get(0);
        int master = cluster.masterOf(slotOf(project));
        RedisMetricsStore store = store(properties);
        RedisOutages outages = new RedisOutages(connections);
        List<PartitionUpdates> poll = List.of(new PartitionUpdates("track.error", 3, fixtures.interleaved(List.of(project), 4)));

        cluster.pause(master);
        try {
            assertThatThrownBy(() -> store.apply(poll)).satisfies(failure -> assertThat(outages.isOutage(failure))
                    .as("an outage: " + failure).isTrue());
        } finally {
            cluster.resume(master);
        }
        applyRidingOutOutages(store, outages, poll);

        assertThat(eventsCounted(project)).isEqualTo(4);
        cluster.awaitHealthy(Duration.ofSeconds(60));
    }

    /**
     * Resharding: a project's slot moved to another master while its batches are counted, as
     * {@code redis-cli --cluster reshard} moves it (IMPORTING and MIGRATING, the keys a few at a
     * time, without REPLACE, then the slot given to its new master). A batch comes once the slot is
     * open with every key still on the old master, and again once every key but the progress hash
     * has moved. The script declares a name no key takes, so the old master never holds all it
     * declares while the slot moves: it answers ASK or TRYAGAIN, an outage, and writes nothing
     * (a script run there could meet a key moved mid-way and fail part-written); the batch is counted on the
     * new master once the slot has moved, and the move is not stopped by a key written again on
     * the old master after it had left (BUSYKEY).
     */
    @Test
    void aProjectWhoseSlotMovesToAnotherMasterWhileCountingIsCountedOnceAndTheMoveCompletes() {
        List<String> projects = projectsOnEveryMaster("resharded", 1);
        String project = projects.get(0);
        int slot = slotOf(project);
        int from = cluster.masterOf(slot);
        int to = cluster.masterOf(slotOf(projects.get(1)));
        RedisMetricsStore store = store(properties);
        RedisOutages outages = new RedisOutages(connections);
        applyRidingOutOutages(store, outages, List.of(new PartitionUpdates("track.error", 4, fixtures.interleaved(List.of(project), 5))));
        List<PartitionUpdates> duringTheMove = List.of(new PartitionUpdates("track.error", 4, fixtures.interleaved(List.of(project), 5)));

        try (Jedis source = new Jedis("127.0.0.1", from, 5_000); Jedis target = new Jedis("127.0.0.1", to, 5_000)) {
            target.clusterSetSlotImporting(slot, source.clusterMyId());
            source.clusterSetSlotMigrating(slot, target.clusterMyId());
            long keysBefore = source.clusterCountKeysInSlot(slot);
            assertThatThrownBy(() -> store.apply(duringTheMove)).as("the slot open, every key still on the old master")
                    .satisfies(failure -> assertThat(outages.isOutage(failure)).as("an outage: " + failure).isTrue())
                    .hasMessageMatching("(ASK|TRYAGAIN) .*");
            assertThat(source.clusterCountKeysInSlot(slot)).as("nothing written while the slot moves").isEqualTo(keysBefore);
            String progress = MetricKeys.progress(project, "cluster-test");
            moveKeys(source, to, slot, key -> !key.equals(progress));

            assertThatThrownBy(() -> store.apply(duringTheMove)).as("the old master holds part of the project's keys")
                    .satisfies(failure -> assertThat(outages.isOutage(failure)).as("an outage: " + failure).isTrue())
                    .hasMessageMatching("(ASK|TRYAGAIN) .*");
            assertThat(source.clusterCountKeysInSlot(slot)).as("keys of the slot on the old master: the progress hash alone").isOne();

            moveKeys(source, to, slot, key -> true);
            for (int master : List.of(from, to, cluster.masterOf(slotOf(projects.get(2))))) {
                try (Jedis node = new Jedis("127.0.0.1", master, 5_000)) {
                    node.clusterSetSlotNode(slot, target.clusterMyId());
                }
            }
            assertThat(source.clusterCountKeysInSlot(slot)).as("keys left on the old master").isZero();
        }
        applyRidingOutOutages(store, outages, duringTheMove);
        applyRidingOutOutages(store, outages, List.of(new PartitionUpdates("track.error", 4, fixtures.interleaved(List.of(project), 5))));

        assertThat(cluster.masterOf(slot)).isEqualTo(to);
        assertThat(eventsCounted(project)).isEqualTo(15);
    }

    /** MIGRATE of the slot's keys that {@code which} picks, a hundred at a time, without REPLACE: a key the target holds fails it. */
    private static void moveKeys(Jedis source, int to, int slot, java.util.function.Predicate<String> which) {
        List<String> keys = source.clusterGetKeysInSlot(slot, 100_000).stream().filter(which).toList();
        for (int first = 0; first < keys.size(); first += 100) {
            assertThat(source.migrate("127.0.0.1", to, 0, 5_000, new MigrateParams(),
                    keys.subList(first, Math.min(first + 100, keys.size())).toArray(String[]::new))).isEqualTo("OK");
        }
    }

    /** Waits for replicas briefly: a stopped one is noticed in a test's time. */
    private static AggregatorProperties impatient() {
        return new AggregatorProperties("cluster-test", new AggregatorProperties.Redis("127.0.0.1", 0, null, 0, false, cluster.nodes(), 1,
                Duration.ofMillis(300)), Duration.ofHours(1), Duration.ofMinutes(70), Duration.ofHours(24), 200, 500, 10_000);
    }

    /** REDIS_HOST naming a cluster node: the projects another node serves would be refused for good. */
    @Test
    void aClusterNodeNamedAsASingleServerIsRefusedWithTheSettingToUse() throws Exception {
        int node = cluster.masterOf(0);
        AggregatorProperties.Redis asSingleServer = new AggregatorProperties.Redis("127.0.0.1", node, null, 0, false);

        assertThat(new RedisEvictionPolicy(new RedisClientSettings(asSingleServer, DefaultJedisClientConfig.builder().build())).unmet())
                .contains("REDIS_HOST and REDIS_PORT (track.aggregator.redis.host, port) name 127.0.0.1:" + node + ", a node of a "
                        + "Redis Cluster: set REDIS_CLUSTER_NODES to it (and any other nodes) so that each project's keys go to the "
                        + "node that serves them");
    }

    /** REDIS_WAIT_REPLICAS beyond the replicas a master has would fail every batch for good: refused at start, naming each master. */
    @Test
    void replicasAskedForThatNoMasterHasAreRefusedNamingEachMaster() throws Exception {
        assertThat(new RedisReplicas(RedisClientSettings.of(properties)).unmet()).as("one replica asked, one each").isEmpty();

        AggregatorProperties.Redis askingTwo = properties.redis().inCluster(cluster.nodes(), 2);
        assertThat(new RedisReplicas(new RedisClientSettings(askingTwo, DefaultJedisClientConfig.builder().build())).unmet())
                .hasValueSatisfying(why -> assertThat(why)
                        .startsWith("REDIS_WAIT_REPLICAS (track.aggregator.redis.replicas-to-acknowledge) asks each batch's writes to "
                                + "reach 2 replicas of their master, but Redis Cluster masters ")
                        .contains(cluster.masterOf(0) + " (1)", cluster.masterOf(16383) + " (1)")
                        .endsWith("have fewer: every batch would wait for good. Add replicas (redis-cli --cluster add-node "
                                + "--cluster-slave), or lower REDIS_WAIT_REPLICAS to the fewest replicas a master has (0 counts without "
                                + "waiting for any)"));
    }

    /** A replica away (here, stopped) is waited for, as the batches wait for it: the question stays open until it follows again. */
    @Test
    void aReplicaAwayLeavesTheReplicasQuestionOpenUntilItFollowsAgain() throws Exception {
        int master = cluster.masterOf(0);
        int replica = cluster.replicaOf(master);
        // every node a seed: the one paused may be the first, after a failover test made it a replica
        RedisReplicas check = new RedisReplicas(new RedisClientSettings(properties.redis().inCluster(cluster.nodes(), 1),
                DefaultJedisClientConfig.builder().build()));

        cluster.pause(replica);
        try {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                    assertThatThrownBy(check::unmet).isInstanceOf(dev.trackpipeline.runtime.StartRequirement.Unanswered.class)
                            .hasMessageContaining("127.0.0.1:" + master + " (0 of 1 following it)"));
        } finally {
            cluster.resume(replica);
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> assertThat(check.unmet()).isEmpty());
    }

    /** The aggregator refuses a cluster node that evicts, naming it: a replica promoted later would evict too. */
    @Test
    void everyNodeOfTheClusterIsAskedForItsEvictionPolicy() throws Exception {
        int replica = cluster.replicaOf(cluster.masterOf(0));
        try (Jedis node = new Jedis("127.0.0.1", replica, 2_000)) {
            node.configSet("maxmemory-policy", "allkeys-lru");
            assertThat(new RedisEvictionPolicy(RedisClientSettings.of(properties)).unmet()).hasValueSatisfying(why -> assertThat(why)
                    .startsWith("Redis Cluster node 127.0.0.1:" + replica + " evicts keys when full (maxmemory-policy allkeys-lru)")
                    .endsWith("and in redis.conf so that it outlasts a restart, on every node), or set REDIS_ALLOW_EVICTION=true "
                            + "(track.aggregator.redis.allow-eviction) to count anyway"));
        } finally {
            try (Jedis node = new Jedis("127.0.0.1", replica, 2_000)) {
                node.configSet("maxmemory-policy", "noeviction");
            }
        }
        assertThat(new RedisEvictionPolicy(RedisClientSettings.of(properties)).unmet()).isEmpty();
    }

    /** Batches applied as the listener applies them: an outage is waited out and the batch applied again. */
    private static void applyRidingOutOutages(RedisMetricsStore store, RedisOutages outages, List<PartitionUpdates> poll) {
        await("Redis Cluster back").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            try {
                store.apply(poll);
                return true;
            } catch (RuntimeException failure) {
                assertThat(outages.isOutage(failure)).as("an outage: " + failure).isTrue();
                return false;
            }
        });
    }

    /** Projects named {@code prefix-n}, {@code each} on every master, so that every node counts some. */
    private static List<String> projectsOnEveryMaster(String prefix, int each) {
        Map<Integer, List<String>> byMaster = new LinkedHashMap<>();
        for (int n = 0; byMaster.size() < 3 || byMaster.values().stream().anyMatch(named -> named.size() < each); n++) {
            String project = prefix + "-" + n;
            List<String> named = byMaster.computeIfAbsent(cluster.masterOf(slotOf(project)), master -> new ArrayList<>());
            if (named.size() < each) {
                named.add(project);
            }
        }
        return byMaster.values().stream().flatMap(List::stream).toList();
    }

    private static int slotOf(String project) {
        return JedisClusterCRC16.getSlot(MetricKeys.progress(project, "cluster-test"));
    }

    private static RedisMetricsStore store(AggregatorProperties settings) {
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        return new RedisMetricsStore(connections, settings, new SimpleMeterRegistry(), clock, apikey -> 0, Optional.of(clock));
    }

    /** The project's events in the current minute bucket, read from whichever master serves it now. */
    private static long eventsCounted(String project) {
        String events = redis.hget(MetricKeys.counters(project, MetricKeys.Resolution.MINUTE, MetricKeys.Resolution.MINUTE.bucketOf(NOW)),
                "events");
        return events == null ? 0 : Long.parseLong(events);
    }
}
