package dev.trackpipeline.gateway.ingest;

import dev.trackpipeline.model.Outcome;
import java.time.Duration;
import java.util.Optional;
import org.springframework.http.HttpStatus;

/** The whole request is refused before any event is looked at (rate, size, type, encoding). */
final class IngestRefusedException extends RuntimeException {

    private final HttpStatus status;
    private final Outcome outcome;
    private final Duration retryAfter;

    IngestRefusedException(HttpStatus status, Outcome outcome, String reason) {
        this(status, outcome, reason, null);
    }

    /** @param retryAfter when the client may try again, where the refusal knows better than the configured Retry-After */
    IngestRefusedException(HttpStatus status, Outcome outcome, String reason, Duration retryAfter) {
        super(reason);
        this.status = status;
        this.outcome = outcome;
        this.retryAfter = retryAfter;
    }

    HttpStatus status() {
        return status;
    }

    Outcome outcome() {
        return outcome;
    }

    Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
