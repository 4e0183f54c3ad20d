package dev.trackpipeline.gateway.ingest;

import dev.trackpipeline.model.Outcome;
import dev.trackpipeline.model.metrics.TrackMeters;
import dev.trackpipeline.model.ingest.AcceptedEvent;
import dev.trackpipeline.model.ingest.Rejection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;

/**
 * Counts every event's fate ({@code track_ingest_events_total{outcome,type}}), so each drop is
 * accounted for. Both tags are bounded: outcomes are an enum, types are the known SDK types or
 * "unknown"; nothing per event or free text.
 */
final class IngestOutcomes {

    private final MeterRegistry meters;

    IngestOutcomes(MeterRegistry meters) {
        this.meters = meters;
    }

    void count(List<AcceptedEvent> accepted, List<Rejection> rejected) {
        accepted.forEach(event -> counter(Outcome.ACCEPTED, event.type()).increment());
        rejected.forEach(rejection -> counter(rejection.outcome(), rejection.type()).increment());
    }

    void countUndelivered(List<AcceptedEvent> events, Outcome why) {
        events.forEach(event -> counter(why, event.type()).increment());
    }

    private Counter counter(Outcome outcome, String type) {
        return Counter.builder(TrackMeters.INGEST_EVENTS).description("Events received at /reportData, by outcome")
                .tag("outcome", outcome.code()).tag("type", type).register(meters);
    }
}
