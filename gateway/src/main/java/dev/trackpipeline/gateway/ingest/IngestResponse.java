package dev.trackpipeline.gateway.ingest;

import dev.trackpipeline.model.ingest.Rejection;
import java.util.List;

/** The body of every {@code /reportData} answer: how many events were accepted and why others were not. */
public record IngestResponse(int accepted, List<RejectedEvent> rejected) {

    /** @param index the event's position in the body, -1 for the body as a whole */
    public record RejectedEvent(int index, String outcome, String reason) {

        static RejectedEvent of(Rejection rejection) {
            return new RejectedEvent(rejection.index(), rejection.outcome().code(), rejection.reason());
        }
    }

    static IngestResponse refused(Rejection rejection) {
        return new IngestResponse(0, List.of(RejectedEvent.of(rejection)));
    }
}
