package dev.trackpipeline.aggregator.metrics;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The compact form in which the dedup ring remembers an event id: 16 hex digits (64 bits) of its
 * SHA-256, whatever the id looks like. Among the at most a few hundred thousand ids a project's
 * ring holds, a fresh event is taken for a re-send by chance about once in 10^14 events.
 */
public final class DedupIds {

    private DedupIds() {
    }

    public static String of(String eventId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(eventId.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM ships SHA-256", e);
        }
    }
}
