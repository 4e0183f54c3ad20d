package dev.trackpipeline.aggregator.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.trackpipeline.aggregator.AggregatorProperties;
import dev.trackpipeline.aggregator.consume.CountingReader;
import dev.trackpipeline.aggregator.metrics.RedisMetricsStore.PartitionUpdates;
import dev.trackpipeline.aggregator.metrics.RedisMetricsStore.RecordUpdates;
import dev.trackpipeline.aggregator.query.MetricWindow;
import dev.trackpipeline.aggregator.query.MetricsReader;
import dev.trackpipeline.aggregator.query.ReadConnections;
import dev.trackpipeline.infra.EmbeddedRedisCluster;
import dev.trackpipeline.infra.InfrastructureSettings;
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
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * Counting on a real Redis Cluster: three masters with a replica each (redis-server processes),
 * the aggregator's client the Jedis cluster client, every batch's writes held by a replica (WAIT)
 * before it counts as done. Each project's keys share its hash tag, so each project lives on one
 * master and its script and reads run there; projects are spread over all three.
 */
class RedisClusterCountingTest {

    static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MINUTES);
    static final EventRecordReader RECORDS = CountingReader.of(new EventValidator(new EventFamilies()), IngestLimits.DEFAULTS);
    static final List<CapturedRequest> FIXTURES = WebSeeFixtures.load().posts();

    @TempDir
    static Path dir;
    static EmbeddedRedisCluster cluster;
    static AggregatorProperties properties;
    static RedisConnections connections;
    static UnifiedJedis redis;
    static int nextOffset;

    @BeforeAll
    static void startTheCluster() {
        int first = InfrastructureSettings.freeRedisClusterPorts(List.of());
        List<Integer> ports = IntStream.range(first, first + 6).boxed().toList();
        cluster = EmbeddedRedisCluster.start(dir.resolve("redis-cluster"), "127.0.0.1", 3, 1, ports);
        properties = new AggregatorProperties("cluster-test", new AggregatorProperties.Redis("127.0.0.1", 0, null, 0, false)
                .inCluster(cluster.nodes().subList(0, 1), 1), Duration.ofHours(1), Duration.ofMinutes(70), Duration.ofHours(24), 200, 500,
                10_000);
        connections = RedisConnections.onFirstUse(RedisClientSettings.of(properties)::connect);
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
        List<RecordUpdates> records = interleaved(projects, 12);

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
            List<PartitionUpdates> poll = List.of(new PartitionUpdates("track.error", 1, interleaved(projects, perProjectAndBatch)));
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
        List<PartitionUpdates> poll = List.of(new PartitionUpdates("track.error", 2, interleaved(List.of(project), 5)));

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
        List<PartitionUpdates> poll = List.of(new PartitionUpdates("track.error", 3, interleaved(List.of(project), 4)));

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

    /** {@code perProject} fixture events of each project, the projects taking turns, at the next offsets, received {@link #NOW}. */
    private static List<RecordUpdates> interleaved(List<String> projects, int perProject) {
        EventCounts counts = new EventCounts(properties);
        List<RecordUpdates> records = new ArrayList<>();
        for (int event = 0; event < perProject; event++) {
            for (String project : projects) {
                CapturedRequest fixture = FIXTURES.get(event % FIXTURES.size());
                CapturedRequest theirs = new CapturedRequest(fixture.method(), fixture.path(), fixture.contentType(),
                        fixture.contentEncoding(), fixture.body().replace("\\\"apikey\\\":\\\"demo-project\\\"",
                        "\\\"apikey\\\":\\\"" + project + "\\\"").replace("\"apikey\":\"demo-project\"", "\"apikey\":\"" + project + "\""));
                FixtureRecord record = FixtureRecords.of(theirs, NOW);
                EventRecord read = RECORDS.read(name -> Optional.ofNullable(record.headers().get(name)), record.value());
                assertThat(read.apikey()).isEqualTo(project);
                // an id of its own: the same fixture sent again would be a client's re-send, counted once
                records.add(new RecordUpdates(nextOffset, project, read.eventId() + "-" + nextOffset++, counts.of(read)));
            }
        }
        return records;
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
