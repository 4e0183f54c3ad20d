package dev.trackpipeline.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.aggregator.AggregatorProperties;
import dev.trackpipeline.aggregator.consume.CountingReader;
import dev.trackpipeline.aggregator.metrics.EventCounts;
import dev.trackpipeline.aggregator.metrics.MetricUpdate;
import dev.trackpipeline.aggregator.metrics.RedisMetricsStore;
import dev.trackpipeline.aggregator.metrics.RedisMetricsStore.PartitionUpdates;
import dev.trackpipeline.aggregator.metrics.RedisMetricsStore.RecordUpdates;
import dev.trackpipeline.infra.EmbeddedRedisServer;
import dev.trackpipeline.infra.FreePorts;
import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.model.event.EventValidator;
import dev.trackpipeline.model.ingest.AcceptedEvent;
import dev.trackpipeline.model.ingest.IngestBatch;
import dev.trackpipeline.model.ingest.IngestBatchReader;
import dev.trackpipeline.model.ingest.IngestLimits;
import dev.trackpipeline.model.kafka.EventRecord;
import dev.trackpipeline.model.kafka.EventRecordReader;
import dev.trackpipeline.model.kafka.TrackHeaders;
import dev.trackpipeline.writer.store.EventDocuments;
import dev.trackpipeline.writer.store.EventDocuments.Encoded;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.bson.Document;
import org.bson.codecs.DecoderContext;
import org.bson.codecs.DocumentCodec;
import redis.clients.jedis.JedisPooled;

import static org.quicktheories.QuickTheory.qt;

/**
 * One definition of "accepted": whatever the gateway answers 202 for, the writer can store and
 * the aggregator can count. Ten thousand hostile events per run ({@link HostileEvents}) go
 * through the gateway's validation; each one it accepts is read back by both consumers' readers
 * as they read Kafka records, encoded as the writer's MongoDB document (which must decode again
 * and fit MongoDB), and counted by the aggregator into a real Redis through its own script. A
 * failing event is shrunk to a small one that still fails, and printed.
 */
class AcceptedMeansStoredAndCountedTest {

    /** QuickTheories skips a value it generated before, so a few more are asked for than the 10,000 that must run. */
    static final int TRIES = 11_000;
    static final Instant RECEIVED_AT = Instant.parse("2026-11-30T06:00:00Z");
    static final EmbeddedRedisServer redisServer = EmbeddedRedisServer.start(Optional.empty(), "127.0.0.1", FreePorts.one());
    static final JedisPooled redis = new JedisPooled(redisServer.host(), redisServer.port());

    final EventValidator validator = new EventValidator(new EventFamilies());
    final IngestBatchReader gateway = new IngestBatchReader(validator, IngestLimits.DEFAULTS);
    final EventRecordReader writerReader = new EventRecordReader(validator, IngestLimits.DEFAULTS);
    final EventRecordReader aggregatorReader = CountingReader.of(validator, IngestLimits.DEFAULTS);
    /** Room in the dedup ring for every event of the run, so that any repeat of an id must be recognised. */
    final AggregatorProperties aggregator = new AggregatorProperties("contract", new AggregatorProperties.Redis("127.0.0.1", 0, null, 0, false),
            Duration.ofHours(1), Duration.ofHours(48), Duration.ofDays(30), 500, 500, 1_000_000);
    final EventCounts counts = new EventCounts(aggregator);
    final RedisMetricsStore store = new RedisMetricsStore(redis, aggregator, new SimpleMeterRegistry(), java.time.Clock.systemUTC());
    /**
     * What the writer holds so far, as its collection and {@code _id}: a generated event may
     * repeat, and a repeat is rightly neither stored nor counted twice; anything new to the writer
     * must be new to the aggregator too.
     */
    final Set<String> stored = new HashSet<>();
    long offset;

    int accepted;
    int refused;

    @AfterAll
    static void stopRedis() {
        redis.close();
        redisServer.close();
    }

    @Test
    void whatTheGatewayAcceptsTheWriterStoresAndTheAggregatorCounts() {
        qt().withExamples(TRIES).withShrinkCycles(200).forAll(HostileEvents.events()).checkAssert(this::acceptedMeansStoredAndCounted);

        System.out.printf("%d hostile events tried: %d accepted, stored and counted; %d refused by the gateway%n",
                accepted + refused, accepted, refused);
        assertThat(accepted + refused).isGreaterThanOrEqualTo(10_000);
        // The property says nothing if the gateway refuses (nearly) everything it is given.
        assertThat(accepted).isGreaterThan(2_000);
    }

    private void acceptedMeansStoredAndCounted(String json) {
        IngestBatch batch = gateway.read(json.getBytes(StandardCharsets.UTF_8));
        if (batch.accepted().isEmpty()) {
            refused++;
        } else {
            accepted++;
        }

        for (AcceptedEvent accepted : batch.accepted()) {
            Map<String, String> headers = TrackHeaders.of(accepted, RECEIVED_AT);

            EventRecord toStore = writerReader.read(name -> Optional.ofNullable(headers.get(name)), accepted.rawJson());
            Encoded encoded = EventDocuments.encode(toStore);
            assertThat(encoded).as("the writer's document of %s", json).isInstanceOf(Encoded.Document.class);
            Document decoded = new DocumentCodec().decode(((Encoded.Document) encoded).bson().asBsonReader(), DecoderContext.builder().build());
            assertThat(decoded.getString("_id")).isEqualTo(accepted.eventId());

            EventRecord toCount = aggregatorReader.read(name -> Optional.ofNullable(headers.get(name)), accepted.rawJson());
            List<MetricUpdate> updates = counts.of(toCount);
            long applied = store.apply(List.of(new PartitionUpdates("track." + accepted.family().name(), 0,
                    List.of(new RecordUpdates(offset++, accepted.apikey(), accepted.eventId(), updates))))).get(0);
            boolean newToTheWriter = stored.add(accepted.family().name() + "/" + decoded.getString("_id"));
            assertThat(applied).as("counted %s", json).isEqualTo(newToTheWriter ? 1 : 0);
        }
    }
}
