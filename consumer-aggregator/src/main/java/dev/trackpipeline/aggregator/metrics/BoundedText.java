package dev.trackpipeline.aggregator.metrics;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Client text made fit to name a Redis member or field: at most {@link #MAX_LENGTH} characters.
 * Longer text keeps a readable beginning and ends in {@code …} and 16 hex digits of its SHA-256,
 * so two long texts that begin alike stay apart while neither can make a member of any size.
 */
public final class BoundedText {

    public static final int MAX_LENGTH = 200;
    private static final int HASH_DIGITS = 16;
    private static final String ELLIPSIS = "…";

    private BoundedText() {
    }

    public static String of(String text) {
        if (text.length() <= MAX_LENGTH) {
            return text;
        }
        int keep = MAX_LENGTH - ELLIPSIS.length() - HASH_DIGITS;
        // Never cut a surrogate pair in half: the half would reach Redis as '?'.
        if (Character.isHighSurrogate(text.charAt(keep - 1))) {
            keep--;
        }
        return text.substring(0, keep) + ELLIPSIS + hash(text);
    }

    private static String hash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, HASH_DIGITS / 2);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM ships SHA-256", e);
        }
    }
}
