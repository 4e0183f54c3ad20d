package dev.trackpipeline.gateway.ingest;

import dev.trackpipeline.model.Outcome;
import org.springframework.http.HttpStatus;

/** The whole request is refused before any event is looked at (size, type, encoding). */
final class IngestRefusedException extends RuntimeException {

    private final HttpStatus status;
    private final Outcome outcome;

    IngestRefusedException(HttpStatus status, Outcome outcome, String reason) {
        super(reason);
        this.status = status;
        this.outcome = outcome;
    }

    HttpStatus status() {
        return status;
    }

    Outcome outcome() {
        return outcome;
    }
}
