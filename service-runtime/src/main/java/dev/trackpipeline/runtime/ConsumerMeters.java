package dev.trackpipeline.runtime;

import dev.trackpipeline.model.event.EventFamily;
import dev.trackpipeline.model.metrics.TrackMeters;
import dev.trackpipeline.runtime.ConsumedBatch.Consumed;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What the writer and the aggregator report about their consumption, under the same names,
 * told apart by the consumer group: batch sizes, store write latency, outcomes per family and
 * the end-to-end latency from the gateway's received-at to the store.
 */
public final class ConsumerMeters {

    /** The family tag of a write that holds every family's events. */
    public static final String ALL_FAMILIES = "all";

    private final MeterRegistry meters;
    private final String group;
    private final Clock clock;
    private final DistributionSummary batchEvents;
    /** Per family: built once, since the end-to-end timer is recorded for every event. */
    private final Map<String, Timer> writeTimers = new ConcurrentHashMap<>();
    private final Map<String, Timer> endToEndTimers = new ConcurrentHashMap<>();

    public ConsumerMeters(MeterRegistry meters, String group, Clock clock) {
        this.meters = meters;
        this.group = group;
        this.clock = clock;
        this.batchEvents = DistributionSummary.builder(TrackMeters.CONSUME_BATCH_EVENTS).baseUnit("events")
                .description("Events per polled batch").tag("group", group).register(meters);
    }

    public void batch(int events) {
        batchEvents.record(events);
    }

    /** Times one write of a family's events to the store. */
    public <T> T timeWrite(EventFamily family, Supplier<T> write) {
        return timeWrite(family.name(), write);
    }

    /** Times one write of a whole batch, every family together; its family tag is {@value #ALL_FAMILIES}. */
    public <T> T timeWrite(Supplier<T> write) {
        return timeWrite(ALL_FAMILIES, write);
    }

    private <T> T timeWrite(String family, Supplier<T> write) {
        return writeTimers.computeIfAbsent(family, name -> latency(TrackMeters.CONSUME_WRITE, "One store write", name)).record(write);
    }

    public void count(EventFamily family, String outcome, long events) {
        meters.counter(TrackMeters.CONSUME_EVENTS, "group", group, "family", family.name(), "outcome", outcome).increment(events);
    }

    /**
     * Records how long ago the gateway received each event, now that the store holds it (stored,
     * counted, or found there already). The gateway's clock is on another host in production: a
     * negative difference counts as zero.
     */
    public void stored(List<Consumed> events) {
        long now = clock.millis();
        for (Consumed consumed : events) {
            long millis = Math.max(0, now - consumed.event().receivedAt().toEpochMilli());
            endToEndTimers.computeIfAbsent(consumed.event().family().name(), name -> latency(TrackMeters.CONSUME_END_TO_END,
                    "From the gateway's received-at to stored or counted", name)).record(millis, TimeUnit.MILLISECONDS);
        }
    }

    private Timer latency(String name, String description, String family) {
        return Timer.builder(name).description(description).tag("group", group).tag("family", family)
                .serviceLevelObjectives(TrackMeters.LATENCY_BUCKETS.toArray(Duration[]::new)).register(meters);
    }
}
