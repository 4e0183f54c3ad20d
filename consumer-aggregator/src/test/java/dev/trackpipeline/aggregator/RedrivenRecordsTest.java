package dev.trackpipeline.aggregator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.aggregator.metrics.MetricKeys;
import dev.trackpipeline.aggregator.metrics.MetricKeys.Resolution;
import dev.trackpipeline.aggregator.metrics.RedisConnections;
import dev.trackpipeline.infra.EmbeddedInfrastructure;
import dev.trackpipeline.infra.testing.KafkaTestRecords;
import dev.trackpipeline.model.fixtures.FixtureRecords;
import dev.trackpipeline.model.fixtures.FixtureRecords.FixtureRecord;
import dev.trackpipeline.model.fixtures.WebSeeFixtures;
import dev.trackpipeline.model.kafka.TrackHeaders;
import dev.trackpipeline.model.metrics.TrackMeters;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Records put back from the dead-letter topic by {@code replay redrive}: the aggregator counts
 * those redriven for its own group and leaves those redriven for the writer, which it counted when
 * it first read them (past its dedup window it would count them again).
 */
@SpringBootTest(properties = "track.aggregator.group-id=redrive-aggregator")
class RedrivenRecordsTest {

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
    void countsARecordRedrivenForItsOwnGroupAndLeavesOneRedrivenForTheWriter() throws Exception {
        Instant receivedAt = Instant.now();
        List<FixtureRecord> whiteScreens = WebSeeFixtures.load().ofType("whiteScreen").stream()
                .map(request -> FixtureRecords.of(request, receivedAt)).toList();
        FixtureRecord plain = whiteScreens.get(0);
        FixtureRecord forTheWriter = redrivenFor(whiteScreens.get(1), "track-writer");
        FixtureRecord forTheAggregator = redrivenFor(whiteScreens.get(2), "redrive-aggregator");

        KafkaTestRecords.produce(infra.kafkaBootstrapServers(), List.of(plain, forTheWriter, forTheAggregator));

        KafkaTestRecords.awaitConsumed(infra.kafkaBootstrapServers(), "redrive-aggregator", List.of("track.white-screen"),
                Duration.ofSeconds(60));
        String bucket = MetricKeys.counters("demo-project", Resolution.MINUTE, Resolution.MINUTE.bucketOf(receivedAt));
        assertThat(redis.client().hget(bucket, "events")).isEqualTo("2");
        assertThat(meters.get(TrackMeters.CONSUME_REDRIVEN_ELSEWHERE).tag("topic", "track.white-screen").counter().count()).isEqualTo(1);
        assertThat(KafkaTestRecords.readAll(infra.kafkaBootstrapServers(), "track.dead-letter")).isEmpty();
    }

    /**
     * A redrive fenced by another (two operators at once) has its open transaction aborted: its
     * records stay in the topic, uncommitted, and are never counted, since the consumers read
     * committed records only.
     */
    @Test
    void neverCountsARecordOfAnAbortedRedriveTransaction() throws Exception {
        Instant receivedAt = Instant.now().minus(Duration.ofMinutes(10));
        List<FixtureRecord> whiteScreens = WebSeeFixtures.load().ofType("whiteScreen").stream()
                .map(request -> FixtureRecords.of(request, receivedAt)).toList();
        FixtureRecord aborted = redrivenFor(whiteScreens.get(3), "redrive-aggregator");
        FixtureRecord committed = redrivenFor(whiteScreens.get(4), "redrive-aggregator");

        try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", infra.kafkaBootstrapServers(),
                "transactional.id", "test-redrive-aborted"), new StringSerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(record(aborted)).get(30, TimeUnit.SECONDS);
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(record(committed)).get(30, TimeUnit.SECONDS);
            producer.commitTransaction();
        }

        KafkaTestRecords.awaitConsumed(infra.kafkaBootstrapServers(), "redrive-aggregator", List.of("track.white-screen"),
                Duration.ofSeconds(60));
        String bucket = MetricKeys.counters("demo-project", Resolution.MINUTE, Resolution.MINUTE.bucketOf(receivedAt));
        assertThat(redis.client().hget(bucket, "events")).isEqualTo("1");
    }

    private static ProducerRecord<String, byte[]> record(FixtureRecord fixture) {
        var headers = new RecordHeaders();
        fixture.headers().forEach((name, value) -> headers.add(name, value.getBytes(StandardCharsets.UTF_8)));
        return new ProducerRecord<>(fixture.topic(), null, fixture.key(), fixture.value(), headers);
    }

    private static FixtureRecord redrivenFor(FixtureRecord record, String group) {
        Map<String, String> headers = new HashMap<>(record.headers());
        headers.put(TrackHeaders.REDRIVE_GROUP, group);
        headers.put(TrackHeaders.REDRIVEN_FROM, "track.dead-letter:0:0");
        return new FixtureRecord(record.eventId(), record.type(), record.topic(), record.key(), record.value(), headers);
    }
}
