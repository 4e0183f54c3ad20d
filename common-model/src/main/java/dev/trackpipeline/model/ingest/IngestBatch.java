package dev.trackpipeline.model.ingest;

import java.util.List;

/** What one request body turned into: the events to publish and the ones refused, by index. */
public record IngestBatch(List<AcceptedEvent> accepted, List<Rejection> rejected) {

    public IngestBatch {
        accepted = List.copyOf(accepted);
        rejected = List.copyOf(rejected);
    }

    static IngestBatch refusedWhole(Rejection rejection) {
        return new IngestBatch(List.of(), List.of(rejection));
    }
}
