package dev.trackpipeline.model.kafka;

import dev.trackpipeline.model.Outcome;

/** A Kafka record no consumer may store: retrying cannot fix it, so it goes to the dead-letter topic. */
public final class InvalidRecordException extends RuntimeException {

    private final Outcome outcome;

    public InvalidRecordException(Outcome outcome, String reason) {
        super(reason);
        this.outcome = outcome;
    }

    public Outcome outcome() {
        return outcome;
    }
}
