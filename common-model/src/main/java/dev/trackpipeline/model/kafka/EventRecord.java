package dev.trackpipeline.model.kafka;

import dev.trackpipeline.model.event.EventFamily;
import java.time.Instant;
import tools.jackson.databind.JsonNode;

/** One event as a consumer sees it: the SDK's JSON plus the gateway's metadata from the headers. */
public record EventRecord(String eventId, Instant receivedAt, String apikey, String type, EventFamily family,
                          String sessionId, JsonNode event) {
}
