package dev.trackpipeline.gateway.ingest;

/** Kafka could not take the events in time; the client is told to retry (503). */
public final class PublishFailedException extends RuntimeException {

    public PublishFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
