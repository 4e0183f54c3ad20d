package dev.trackpipeline.model.ingest;

/**
 * How much heap the JSON tree of an event can take. A tree can take fifty times the event's
 * bytes ({@code [{},{},...]}), so whoever builds trees of untrusted events, the gateway for a
 * request and the consumers for a poll, bounds them by this rather than by bytes.
 */
public final class TreeCost {

    /**
     * Heap a tree takes per value, at most: measured with Jackson 3.1 on the costliest shapes,
     * objects of one property ({@code {"a":{}}}, 143 bytes) and of many distinct names (178).
     */
    static final int BYTES_PER_VALUE = 200;

    private TreeCost() {
    }

    /** The most heap a tree of the event can take: its values, and its strings at up to two bytes a character. */
    public static long of(int eventBytes, long values) {
        return values * BYTES_PER_VALUE + 2L * eventBytes;
    }

    /**
     * An upper bound found without parsing: every value but the first follows a comma or opens
     * an object or array, so counting those bytes (inside strings too, which only overcounts)
     * bounds the values. A scan of the bytes, a fraction of what parsing them costs.
     */
    public static long ofJson(byte[] json) {
        long values = 1;
        for (byte b : json) {
            if (b == ',' || b == '{' || b == '[') {
                values++;
            }
        }
        return of(json.length, values);
    }
}
