package dev.trackpipeline.model.ingest;

import dev.trackpipeline.model.event.EventFamily;

/**
 * An event that passed validation, ready to publish.
 *
 * @param index    its position in the request body (0 for a single-object body)
 * @param rawJson  the event's bytes exactly as the SDK sent them
 */
public record AcceptedEvent(int index, String eventId, EventFamily family, String type, String apikey,
                            String sessionId, byte[] rawJson) {

    /**
     * The Kafka key: one project's sessions spread over the partitions, while the events of one
     * page session stay in one partition and therefore in order.
     */
    public String partitionKey() {
        return apikey + "/" + sessionId;
    }
}
