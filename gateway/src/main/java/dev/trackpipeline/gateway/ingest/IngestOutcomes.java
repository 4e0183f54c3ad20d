package dev.trackpipeline.gateway.ingest;

import dev.trackpipeline.model.Outcome;
import dev.trackpipeline.model.ingest.AcceptedEvent;
import dev.trackpipeline.model.ingest.Rejection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;

/** Counts every event by outcome ({@code track_ingest_events_total}), so each drop is accounted for. */
final class IngestOutcomes {

    private final MeterRegistry meters;

    IngestOutcomes(MeterRegistry meters) {
        this.meters = meters;
    }

    void count(List<AcceptedEvent> accepted, List<Rejection> rejected) {
        accepted.forEach(event -> counter(Outcome.ACCEPTED, event.type()).increment());
        rejected.forEach(rejection -> counter(rejection.outcome(), "unknown").increment());
    }

    void countRefusedBody(Outcome outcome) {
        counter(outcome, "unknown").increment();
    }

    // The type tag only carries known types (accepted events), which bounds its cardinality.
    private Counter counter(Outcome outcome, String type) {
        return Counter.builder("track.ingest.events").description("Events received at /reportData, by outcome")
                .tag("outcome", outcome.code()).tag("type", type).register(meters);
    }
}
