package dev.trackpipeline.model.ingest;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Event ids derived from the event's own bytes. The SDK sends no id and retries by sending the
 * same bytes again, so a content hash makes a retried upload, a redelivery and a replay all carry
 * one id, which the stores use to keep a single copy.
 */
public final class EventIds {

    private EventIds() {
    }

    /** First 128 bits of SHA-256 over the raw event, as 32 hex digits. */
    public static String fromContent(byte[] rawEvent) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(rawEvent);
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM ships SHA-256", e);
        }
    }
}
