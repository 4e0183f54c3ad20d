package dev.trackpipeline.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.model.event.HttpFailureEvents;
import dev.trackpipeline.model.kafka.EventRecord;
import dev.trackpipeline.runtime.ConsumedBatch.Consumed;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;

class ConsumerMetersTest {

    static final Instant NOW = Instant.parse("2026-11-26T04:00:00Z");
    static final String HTTP = "{family=\"http\",group=\"track-writer\"";

    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final ConsumerMeters meters = new ConsumerMeters(registry, "track-writer", Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void recordsHowLongAgoTheGatewayReceivedEachEventInTheFixedBuckets() {
        meters.stored(List.of(receivedAgo(30), receivedAgo(400), receivedAgo(40_000)));

        String scrape = registry.scrape();

        assertThat(scrape).contains(
                "track_consume_end_to_end_seconds_bucket" + HTTP + ",le=\"0.05\"} 1",
                "track_consume_end_to_end_seconds_bucket" + HTTP + ",le=\"0.5\"} 2",
                "track_consume_end_to_end_seconds_bucket" + HTTP + ",le=\"30.0\"} 2",
                "track_consume_end_to_end_seconds_bucket" + HTTP + ",le=\"+Inf\"} 3",
                "track_consume_end_to_end_seconds_count" + HTTP + "} 3",
                "track_consume_end_to_end_seconds_sum" + HTTP + "} 40.43");
        assertThat(scrape.lines().filter(line -> line.startsWith("track_consume_end_to_end_seconds_bucket"))).hasSize(13);
    }

    @Test
    void countsAnEventFromAGatewayWhoseClockIsAheadAsJustArrived() {
        meters.stored(List.of(receivedAgo(-2_000)));

        assertThat(registry.scrape()).contains("track_consume_end_to_end_seconds_bucket" + HTTP + ",le=\"0.005\"} 1",
                "track_consume_end_to_end_seconds_sum" + HTTP + "} 0.0");
    }

    @Test
    void countsOutcomesPerFamilyAndTimesWritesAndBatches() {
        meters.batch(3);
        String written = meters.timeWrite(new HttpFailureEvents(), () -> "done");
        meters.count(new HttpFailureEvents(), "stored", 2);
        meters.count(new HttpFailureEvents(), "duplicate", 1);

        assertThat(written).isEqualTo("done");
        assertThat(registry.scrape()).contains(
                "track_consume_batch_events_sum{group=\"track-writer\"} 3.0",
                "track_consume_write_seconds_count" + HTTP + "} 1",
                "track_consume_events_total{family=\"http\",group=\"track-writer\",outcome=\"stored\"} 2.0",
                "track_consume_events_total{family=\"http\",group=\"track-writer\",outcome=\"duplicate\"} 1.0");
    }

    @Test
    void timesAWriteOfEveryFamilyTogetherUnderFamilyAll() {
        meters.timeWrite(() -> 1L);

        assertThat(registry.scrape()).contains("track_consume_write_seconds_count{family=\"all\",group=\"track-writer\"} 1");
    }

    private static Consumed receivedAgo(long millis) {
        EventRecord event = new EventRecord("id-" + millis, NOW.minusMillis(millis), "demo-project", "xhr", new HttpFailureEvents(),
                "session", JsonNodeFactory.instance.objectNode());
        return new Consumed(new ConsumerRecord<>("track.http", 0, 0, "key", new byte[0]), event);
    }
}
