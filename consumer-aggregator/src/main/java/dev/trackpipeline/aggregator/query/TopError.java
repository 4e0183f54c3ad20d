package dev.trackpipeline.aggregator.query;

/** One error group in a window: its fingerprint, how often it happened, and what it is. */
public record TopError(String fingerprint, long count, String title, String type, String sampleEventId) {
}
