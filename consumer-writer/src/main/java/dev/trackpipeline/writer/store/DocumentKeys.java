package dev.trackpipeline.writer.store;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Makes free-form keys (say in {@code requestData.data}) safe to store: a leading {@code $} or any
 * {@code .} would be read by MongoDB as an operator or a path, and a NUL cannot be stored at all
 * (BSON keys are C strings), so one such key would stall its partition. Percent-encoding keeps it
 * lossless: {@code %} itself is encoded first, and {@link #decode} gives the original back.
 */
final class DocumentKeys {

    /** Top-level names the writer uses for its own metadata; an event's own are encoded. */
    static final Set<String> RESERVED = Set.of("_id", "receivedAt", "fingerprint", "errorTitle");

    private DocumentKeys() {
    }

    static String encode(String key, boolean topLevel) {
        String encoded = key.replace("%", "%25").replace(".", "%2E").replace("\u0000", "%00");
        if (encoded.startsWith("$")) {
            encoded = "%24" + encoded.substring(1);
        }
        if (topLevel && RESERVED.contains(encoded)) {
            encoded = "%" + String.format("%02X", (int) encoded.charAt(0)) + encoded.substring(1);
        }
        return encoded;
    }

    static String decode(String key) {
        return key.indexOf('%') < 0 ? key : URLDecoder.decode(key.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
