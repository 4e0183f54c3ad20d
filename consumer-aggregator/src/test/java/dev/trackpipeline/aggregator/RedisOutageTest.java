package dev.trackpipeline.aggregator;

import dev.trackpipeline.infra.FreePorts;
import dev.trackpipeline.infra.testing.KafkaTestRecords;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trackpipeline.aggregator.metrics.MetricKeys;
import dev.trackpipeline.aggregator.metrics.MetricKeys.Resolution;
import dev.trackpipeline.infra.EmbeddedInfrastructure;
import dev.trackpipeline.infra.EmbeddedRedisServer;
import dev.trackpipeline.model.fixtures.FixtureRecords;
import dev.trackpipeline.model.fixtures.FixtureRecords.FixtureRecord;
import dev.trackpipeline.model.fixtures.WebSeeFixtures;
import dev.trackpipeline.model.kafka.TrackHeaders;
import dev.trackpipeline.model.metrics.TrackMeters;
import dev.trackpipeline.runtime.ConsumerProgress;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.contributor.Status;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import redis.clients.jedis.JedisPooled;

/** Redis goes away under the aggregator: it must pause, commit nothing, and count everything once Redis is back. */
@SpringBootTest(properties = {"track.aggregator.group-id=outage-aggregator", "track.consumer.stalled-after=2s"})
class RedisOutageTest {

    static final EmbeddedInfrastructure infra = EmbeddedInfrastructure.startForTests();
    static final int redisPort = FreePorts.one();
    static EmbeddedRedisServer redis = EmbeddedRedisServer.start(Optional.empty(), "127.0.0.1", redisPort);

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", infra::kafkaBootstrapServers);
        registry.add("track.aggregator.redis.host", () -> "127.0.0.1");
        registry.add("track.aggregator.redis.port", () -> redisPort);
        registry.add("track.projects-file", () -> FixtureRecords.testProjectsFile().toString());
    }

    @AfterAll
    static void stop() {
        redis.close();
        infra.close();
    }

    @Test
    void pausesWithoutCommittingWhileRedisIsDownAndCountsEverythingOnceItIsBack() throws Exception {
        Instant receivedAt = Instant.now();
        List<FixtureRecord> records = WebSeeFixtures.load().ofType("whiteScreen").stream()
                .map(request -> FixtureRecords.of(request, receivedAt)).toList();
        redis.close();

        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), records);

        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).until(() -> committed() == 0);
        redis = EmbeddedRedisServer.start(Optional.empty(), "127.0.0.1", redisPort);
        String bucket = MetricKeys.counters("demo-project", Resolution.MINUTE, Resolution.MINUTE.bucketOf(receivedAt));
        try (JedisPooled client = new JedisPooled("127.0.0.1", redisPort)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> "14".equals(client.hget(bucket, "events")));
            assertThat(client.hget(bucket, "whiteScreen:blank")).isEqualTo("9");
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> committed() == 14);
    }

    /**
     * The poison record is set aside while Redis is down; once it is back, the poison alone goes to
     * the dead-letter topic and every other record is counted once. Meanwhile the stall shows in
     * the health and the metrics.
     */
    @Test
    void aPoisonRecordDuringTheOutageIsDeadLetteredAloneOnceRedisIsBack(@Autowired ConsumerProgress progress,
                                                                        @Autowired MeterRegistry meters,
                                                                        @Autowired HealthEndpoint health) throws Exception {
        Instant receivedAt = Instant.now();
        List<FixtureRecord> errors = WebSeeFixtures.load().ofType("resource").stream()
                .map(request -> FixtureRecords.of(request, receivedAt)).toList();
        FixtureRecord first = errors.get(0);
        Map<String, String> soon = new HashMap<>(first.headers());
        soon.put(TrackHeaders.RECEIVED_AT, "soon");
        FixtureRecord poison = new FixtureRecord("poison", "resource", first.topic(), first.key(), first.value(), soon);
        List<FixtureRecord> records = new ArrayList<>(errors.subList(0, 2));
        records.add(poison);
        records.addAll(errors.subList(2, errors.size()));
        redis.close();

        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), records);

        await().atMost(Duration.ofSeconds(20)).until(() -> progress.health().getStatus().equals(Status.DOWN));
        assertThat(progress.health().getDetails().get("lastFailure").toString()).contains("JedisConnectionException");
        assertThat(meters.get(TrackMeters.CONSUME_FAILING).gauge().value()).isGreaterThan(2);
        assertThat(committed("track.resource")).isZero();
        // Not ready, for the orchestrator to take out of service; still alive: a restart would not bring Redis back.
        assertThat(health.healthForPath("readiness").getStatus()).isEqualTo(Status.DOWN);
        assertThat(health.healthForPath("liveness").getStatus()).isEqualTo(Status.UP);
        redis = EmbeddedRedisServer.start(Optional.empty(), "127.0.0.1", redisPort);

        String bucket = MetricKeys.counters("demo-project", Resolution.MINUTE, Resolution.MINUTE.bucketOf(receivedAt));
        try (JedisPooled client = new JedisPooled("127.0.0.1", redisPort)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> committed("track.resource") == 6);
            assertThat(client.hget(bucket, "type:resource")).isEqualTo("5");
        }
        assertThat(KafkaTestRecords.readAll(infra.kafkaBootstrapServers(), "track.dead-letter")).singleElement().satisfies(letter ->
                assertThat(new String(letter.headers().lastHeader(TrackHeaders.DEAD_LETTER_REASON).value(), StandardCharsets.UTF_8))
                        .isEqualTo("header track-received-at: expected epoch milliseconds, got \"soon\""));
        assertThat(progress.health().getStatus()).isEqualTo(Status.UP);
        assertThat(health.healthForPath("readiness").getStatus()).isEqualTo(Status.UP);
    }

    private static long committed(String topic) throws Exception {
        return KafkaTestRecords.committedOffsets(infra.kafkaBootstrapServers(), "outage-aggregator", topic);
    }

    private static long committed() throws Exception {
        return KafkaTestRecords.committedOffsets(infra.kafkaBootstrapServers(), "outage-aggregator", "track.white-screen");
    }
}
