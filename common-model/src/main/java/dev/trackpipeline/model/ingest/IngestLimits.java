package dev.trackpipeline.model.ingest;

/**
 * Size limits of the ingest edge. Defaults fit the real SDK: its largest body seen is a
 * 365 KB replay chunk, and a fetch-fallback body is never capped by the browser.
 *
 * @param maxBodyBytes         largest request body as sent on the wire (compressed or not)
 * @param maxDecompressedBytes largest body after gzip; stops decompression bombs
 * @param maxEventBytes        largest single event; also bounds the Kafka record value
 * @param maxEventsPerBody     largest number of events in one array body
 * @param maxNestingDepth      deepest JSON nesting accepted; guards memory and stack
 * @param maxEventTokens       most values (objects, arrays and scalars) in a single event. An
 *                             event's tree takes 50 to 180 bytes of heap per value, so 1 MB of
 *                             {@code [{"a":{}},...]} would need 33 MB; the real SDK's richest event
 *                             (a resourceList of a 180-image page) has 6,715, a 15th of the default
 */
public record IngestLimits(int maxBodyBytes, int maxDecompressedBytes, int maxEventBytes,
                           int maxEventsPerBody, int maxNestingDepth, int maxEventTokens) {

    public static final int DEFAULT_MAX_EVENT_TOKENS = 100_000;
    public static final IngestLimits DEFAULTS = new IngestLimits(4 * 1024 * 1024, 8 * 1024 * 1024,
            1024 * 1024, 500, 64, DEFAULT_MAX_EVENT_TOKENS);

    public IngestLimits {
        requirePositive("maxBodyBytes", maxBodyBytes);
        requirePositive("maxDecompressedBytes", maxDecompressedBytes);
        requirePositive("maxEventBytes", maxEventBytes);
        requirePositive("maxEventsPerBody", maxEventsPerBody);
        requirePositive("maxNestingDepth", maxNestingDepth);
        requirePositive("maxEventTokens", maxEventTokens);
    }

    /** The given size limits with the default {@link #maxEventTokens}. */
    public IngestLimits(int maxBodyBytes, int maxDecompressedBytes, int maxEventBytes, int maxEventsPerBody, int maxNestingDepth) {
        this(maxBodyBytes, maxDecompressedBytes, maxEventBytes, maxEventsPerBody, maxNestingDepth, DEFAULT_MAX_EVENT_TOKENS);
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
