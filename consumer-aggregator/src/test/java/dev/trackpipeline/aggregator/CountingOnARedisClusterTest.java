package dev.trackpipeline.aggregator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trackpipeline.aggregator.metrics.RedisConnections;
import dev.trackpipeline.aggregator.query.MetricWindow;
import dev.trackpipeline.aggregator.query.MetricsReader;
import dev.trackpipeline.infra.EmbeddedInfrastructure;
import dev.trackpipeline.infra.EmbeddedRedisCluster;
import dev.trackpipeline.infra.FreePorts;
import dev.trackpipeline.infra.testing.KafkaTestRecords;
import dev.trackpipeline.model.fixtures.FixtureRecords;
import dev.trackpipeline.model.fixtures.FixtureRecords.FixtureRecord;
import dev.trackpipeline.model.fixtures.WebSeeFixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.FileSystemUtils;
import redis.clients.jedis.JedisCluster;

/**
 * The aggregator as it runs, given REDIS_CLUSTER_NODES: it counts the SDK's captured events from
 * Kafka onto a real Redis Cluster (three masters, a replica each), waiting for a replica to hold
 * each batch, and its metrics API reads them back through the cluster.
 */
@SpringBootTest(properties = "track.aggregator.group-id=cluster-aggregator")
@DirtiesContext // its Redis client is the cluster's, which this class stops
class CountingOnARedisClusterTest {

    static final EmbeddedInfrastructure infra = EmbeddedInfrastructure.startForTests();
    static final Path clusterDir = temporaryDirectory();
    static final EmbeddedRedisCluster cluster = EmbeddedRedisCluster.start(clusterDir, "127.0.0.1", 3, 1,
            clusterPorts());

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", infra::kafkaBootstrapServers);
        // the single server's settings, which the cluster's take the place of
        registry.add("track.aggregator.redis.host", () -> infra.redis().host());
        registry.add("track.aggregator.redis.port", () -> infra.redis().port());
        // one seed node is enough: the client learns the others from it
        registry.add("track.aggregator.redis.cluster-nodes", () -> cluster.nodes().get(0));
        registry.add("track.aggregator.redis.replicas-to-acknowledge", () -> 1);
        registry.add("track.projects-file", () -> FixtureRecords.testProjectsFile().toString());
    }

    @AfterAll
    static void stop() {
        cluster.close();
        infra.close();
        FileSystemUtils.deleteRecursively(clusterDir.toFile());
    }

    @Autowired
    RedisConnections redis;

    @Autowired
    MetricsReader reader;

    @Autowired
    HealthIndicator redisPingHealthIndicator;

    @Test
    void countsEveryCapturedEventOnTheClusterAndReadsThemBack() throws Exception {
        Instant receivedAt = Instant.now();
        List<FixtureRecord> records = WebSeeFixtures.load().posts().stream().map(request -> FixtureRecords.of(request, receivedAt)).toList();

        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), records);

        await().atMost(Duration.ofSeconds(90)).until(() -> reader.overview("demo-project", MetricWindow.parse("1h"), Instant.now())
                .events() == records.size());
        assertThat(redis.client()).isInstanceOf(JedisCluster.class);
        assertThat(redisPingHealthIndicator.health().getStatus().getCode()).isEqualTo("UP");
    }

    /** Six in a row, clear of the embedded infrastructure's ports (started already) and with their bus ports free. */
    private static List<Integer> clusterPorts() {
        int first = FreePorts.forRedisCluster();
        return IntStream.range(first, first + 6).boxed().toList();
    }

    private static Path temporaryDirectory() {
        try {
            return Files.createTempDirectory("redis-cluster");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
