package dev.trackpipeline.aggregator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trackpipeline.aggregator.metrics.MetricKeys;
import dev.trackpipeline.aggregator.metrics.MetricKeys.Resolution;
import dev.trackpipeline.aggregator.metrics.RedisConnections;
import dev.trackpipeline.infra.EmbeddedInfrastructure;
import dev.trackpipeline.infra.testing.KafkaTestRecords;
import dev.trackpipeline.model.fixtures.FixtureRecords;
import dev.trackpipeline.model.fixtures.FixtureRecords.FixtureRecord;
import dev.trackpipeline.model.fixtures.WebSeeFixtures;
import dev.trackpipeline.model.metrics.TrackMeters;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A topic deleted and made again under its name starts its offsets over: the aggregator counts
 * the new topic's events from its first offset, although its progress markers had passed those
 * offsets in the old one.
 */
@SpringBootTest(properties = "track.aggregator.group-id=topic-made-again-aggregator")
class TopicMadeAgainTest {

    static final String TOPIC = "track.white-screen";
    static final EmbeddedInfrastructure infra = EmbeddedInfrastructure.startForTests();

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", infra::kafkaBootstrapServers);
        registry.add("track.aggregator.redis.host", () -> infra.redis().host());
        registry.add("track.aggregator.redis.port", () -> infra.redis().port());
        registry.add("track.projects-file", () -> FixtureRecords.testProjectsFile().toString());
    }

    @AfterAll
    static void stop() {
        infra.close();
    }

    @Autowired
    RedisConnections redis;

    @Autowired
    MeterRegistry meters;

    @Test
    void countsTheEventsOfATopicMadeAgainFromItsFirstOffset() throws Exception {
        Instant receivedAt = Instant.now();
        List<FixtureRecord> whiteScreens = WebSeeFixtures.load().ofType("whiteScreen").stream()
                .map(request -> FixtureRecords.of(request, receivedAt)).toList();
        String bucket = MetricKeys.counters("demo-project", Resolution.MINUTE, Resolution.MINUTE.bucketOf(receivedAt));
        List<FixtureRecord> before = whiteScreens.subList(0, 4);
        List<FixtureRecord> after = whiteScreens.subList(4, 6);

        toPartitionZero(before);
        await().atMost(Duration.ofSeconds(60)).until(() -> "4".equals(redis.client().hget(bucket, "events")));
        String progress = MetricKeys.progress("demo-project", "topic-made-again-aggregator");
        assertThat(redis.client().hget(progress, TOPIC + ":0")).isEqualTo("3");

        try (Admin admin = Admin.create(Map.of("bootstrap.servers", infra.kafkaBootstrapServers()))) {
            int partitions = admin.describeTopics(List.of(TOPIC)).allTopicNames().get(30, TimeUnit.SECONDS).get(TOPIC).partitions().size();
            admin.deleteTopics(List.of(TOPIC)).all().get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(60)).until(() -> !admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(TOPIC));
            admin.createTopics(Set.of(new NewTopic(TOPIC, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        // The new topic's offsets begin at 0 again, below where the old topic's marker stands (3).
        toPartitionZero(after);

        await().atMost(Duration.ofSeconds(90)).until(() -> "6".equals(redis.client().hget(bucket, "events")));
        assertThat(meters.find(TrackMeters.CONSUME_EVENTS).tag("outcome", "counted").counters().stream()
                .mapToDouble(counter -> counter.count()).sum()).isEqualTo(6);
    }

    private static void toPartitionZero(List<FixtureRecord> records) throws Exception {
        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), records, 0);
    }
}
