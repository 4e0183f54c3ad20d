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
 */
public record IngestLimits(int maxBodyBytes, int maxDecompressedBytes, int maxEventBytes,
                           int maxEventsPerBody, int maxNestingDepth) {

    public static final IngestLimits DEFAULTS = new IngestLimits(4 * 1024 * 1024, 8 * 1024 * 1024,
            1024 * 1024, 500, 64);

    public IngestLimits {
        requirePositive("maxBodyBytes", maxBodyBytes);
        requirePositive("maxDecompressedBytes", maxDecompressedBytes);
        requirePositive("maxEventBytes", maxEventBytes);
        requirePositive("maxEventsPerBody", maxEventsPerBody);
        requirePositive("maxNestingDepth", maxNestingDepth);
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
