package dev.trackpipeline.model.ingest;

import dev.trackpipeline.model.event.EventFamily;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import tools.jackson.databind.JsonNode;

/**
 * Event ids. The web-see SDK sends no id and retries by sending the same bytes again, so the id
 * is derived from the event's own bytes: a retried upload, a redelivery and a replay all carry
 * one id, which the stores use to keep a single copy. An SDK that does send an {@code eventId}
 * has it honoured, scoped by project so that two projects' ids can never collide, and by family:
 * the writer keeps one copy per family's collection and the aggregator one count per project, so
 * an id shared by an error and a custom event must name two events to both, or one would be
 * stored and never counted.
 */
public final class EventIds {

    static final String SUPPLIED_ID_FIELD = "eventId";
    static final int MAX_SUPPLIED_ID_LENGTH = 128;

    private EventIds() {
    }

    public static String of(JsonNode event, String apikey, EventFamily family, byte[] rawEvent) {
        JsonNode supplied = event.get(SUPPLIED_ID_FIELD);
        if (supplied != null && supplied.isString() && !supplied.stringValue().isBlank()
                && supplied.stringValue().length() <= MAX_SUPPLIED_ID_LENGTH) {
            return hash((apikey + "\u0000" + family.name() + "\u0000" + supplied.stringValue()).getBytes(StandardCharsets.UTF_8));
        }
        return fromContent(rawEvent);
    }

    /** First 128 bits of SHA-256 over the raw event, as 32 hex digits. */
    public static String fromContent(byte[] rawEvent) {
        return hash(rawEvent);
    }

    private static String hash(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM ships SHA-256", e);
        }
    }
}
