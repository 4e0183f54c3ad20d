package dev.trackpipeline.aggregator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.aggregator.consume.CountingReader;
import dev.trackpipeline.aggregator.metrics.DocumentedRedisRights;
import dev.trackpipeline.aggregator.metrics.EventCounts;
import dev.trackpipeline.aggregator.metrics.RedisClientSettings;
import dev.trackpipeline.aggregator.metrics.RedisConnections;
import dev.trackpipeline.aggregator.metrics.RedisMetricsStore;
import dev.trackpipeline.aggregator.metrics.RedisMetricsStore.PartitionUpdates;
import dev.trackpipeline.aggregator.metrics.RedisMetricsStore.RecordUpdates;
import dev.trackpipeline.aggregator.query.MetricWindow;
import dev.trackpipeline.aggregator.query.MetricsReader;
import dev.trackpipeline.aggregator.query.ReadConnections;
import dev.trackpipeline.infra.EmbeddedRedisServer;
import dev.trackpipeline.infra.FreePorts;
import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.model.event.EventValidator;
import dev.trackpipeline.model.fixtures.FixtureRecords;
import dev.trackpipeline.model.fixtures.FixtureRecords.FixtureRecord;
import dev.trackpipeline.model.fixtures.WebSeeFixtures;
import dev.trackpipeline.model.ingest.IngestLimits;
import dev.trackpipeline.model.kafka.EventRecord;
import dev.trackpipeline.model.kafka.EventRecordReader;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.Protocol;

/**
 * The aggregator under exactly the Redis rights docs/dead-letters.md lists, given to the user
 * {@code default} as the page says (the aggregator authenticates with a password only): it counts
 * the real SDK's events and its metrics API reads them back, against a real redis-server.
 */
class DocumentedRedisRightsTest {

    static final Instant NOW = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
    static final EventRecordReader RECORDS = CountingReader.of(new EventValidator(new EventFamilies()), IngestLimits.DEFAULTS);

    final EmbeddedRedisServer server = EmbeddedRedisServer.start(Optional.empty(), "127.0.0.1", FreePorts.one());
    final AggregatorProperties properties = new AggregatorProperties("rights-test",
            new AggregatorProperties.Redis(server.host(), server.port(), "secret", 0, false), Duration.ofHours(1),
            Duration.ofMinutes(70), Duration.ofHours(24), 200, 500, 10_000);
    final JedisPooled admin = new JedisPooled(server.host(), server.port(), "admin", "admin");

    DocumentedRedisRightsTest() {
        try (JedisPooled asDefault = new JedisPooled(server.host(), server.port())) {
            asDefault.sendCommand(Protocol.Command.ACL, "SETUSER", "admin", "on", ">admin", "~*", "&*", "+@all");
        }
        DocumentedRedisRights.read().grant(admin, "default", "secret");
    }

    @AfterEach
    void stop() {
        admin.close();
        server.close();
    }

    @Test
    void theAggregatorCountsEventsAndItsApiReadsThemWithOnlyTheDocumentedRights() {
        RedisClientSettings settings = RedisClientSettings.of(properties);
        List<RecordUpdates> updates = new ArrayList<>();
        EventCounts counts = new EventCounts(properties);
        long offset = 0;
        for (WebSeeFixtures.CapturedRequest request : WebSeeFixtures.load().posts()) {
            FixtureRecord fixture = FixtureRecords.of(request, NOW.minusSeconds(30));
            EventRecord record = RECORDS.read(name -> Optional.ofNullable(fixture.headers().get(name)), fixture.value());
            updates.add(new RecordUpdates(offset++, record.apikey(), record.eventId(), counts.of(record)));
        }
        String apikey = updates.get(0).apikey();

        try (RedisConnections redis = RedisConnections.onFirstUse(settings::connect);
             ReadConnections reads = new ReadConnections(properties)) {
            Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
            new RedisMetricsStore(redis, properties, new SimpleMeterRegistry(), clock, project -> 0, Optional.of(clock))
                    .apply(List.of(new PartitionUpdates("track.error", 0, updates)));

            MetricsReader reader = new MetricsReader(reads, properties);
            MetricWindow hour = MetricWindow.parse("1h");
            var overview = reader.overview(apikey, hour, NOW);
            reader.vitals(apikey, hour, NOW);
            reader.slowestPages(apikey, "LCP", hour, NOW, 10);
            reader.pageCosts(apikey, hour, NOW, 10);
            reader.topErrors(apikey, hour, NOW, 10);
            reader.timeSeries(apikey, List.of("errors", "sessions"), hour, Duration.ofMinutes(1), "1m", NOW);

            assertThat(overview.events()).as("events of the project counted and read back").isPositive();
            assertThat(redis.client().ping()).isEqualTo("PONG");
        }
    }
}
