package dev.trackpipeline.gateway.ingest;

import dev.trackpipeline.model.Outcome;
import dev.trackpipeline.model.ingest.IngestLimits;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;

/**
 * Reads a {@code /reportData} body within the configured limits: never more than the body limit
 * from the wire, never more than the decompressed limit out of gzip, so neither a huge upload
 * nor a gzip bomb can take the gateway's memory.
 */
final class RequestBodyReader {

    private final IngestLimits limits;

    RequestBodyReader(IngestLimits limits) {
        this.limits = limits;
    }

    /** application/json, or text/plain as navigator.sendBeacon sends it; UTF-8 either way. */
    static void requireSupportedContentType(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            throw new IngestRefusedException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, Outcome.UNSUPPORTED_MEDIA_TYPE,
                    "Content-Type: is required, expected application/json or text/plain");
        }
        MediaType type;
        try {
            type = MediaType.parseMediaType(contentType);
        } catch (InvalidMediaTypeException e) {
            throw unsupported(contentType);
        }
        boolean json = type.isCompatibleWith(MediaType.APPLICATION_JSON);
        boolean text = type.isCompatibleWith(MediaType.TEXT_PLAIN);
        if (!(json || text) || type.isWildcardType() || type.isWildcardSubtype()) {
            throw unsupported(contentType);
        }
        if (type.getCharset() != null && !type.getCharset().name().equalsIgnoreCase("UTF-8")) {
            throw new IngestRefusedException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, Outcome.UNSUPPORTED_MEDIA_TYPE,
                    "Content-Type: charset " + type.getCharset().name() + " is not supported, expected UTF-8");
        }
    }

    byte[] read(InputStream wire, long declaredLength, String contentEncoding) throws IOException {
        if (declaredLength > limits.maxBodyBytes()) {
            throw bodyTooLarge();
        }
        byte[] body = readAtMost(wire, limits.maxBodyBytes(), this::bodyTooLarge);
        String encoding = contentEncoding == null ? "identity" : contentEncoding.trim().toLowerCase(Locale.ROOT);
        return switch (encoding) {
            case "", "identity" -> body;
            case "gzip", "x-gzip" -> gunzip(body);
            default -> throw new IngestRefusedException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, Outcome.UNSUPPORTED_MEDIA_TYPE,
                    "Content-Encoding: \"" + contentEncoding + "\" is not supported, expected gzip or none");
        };
    }

    private byte[] gunzip(byte[] compressed) throws IOException {
        try (InputStream gzip = new GZIPInputStream(new ByteArrayInputStream(compressed))) {
            return readAtMost(gzip, limits.maxDecompressedBytes(), () -> new IngestRefusedException(
                    HttpStatus.PAYLOAD_TOO_LARGE, Outcome.BODY_TOO_LARGE,
                    "body: more than " + limits.maxDecompressedBytes() + " bytes after gzip (maxDecompressedBytes)"));
        } catch (ZipException | java.io.EOFException e) {
            throw new IngestRefusedException(HttpStatus.BAD_REQUEST, Outcome.INVALID_JSON,
                    "body: Content-Encoding is gzip but the body is not valid gzip");
        }
    }

    private static byte[] readAtMost(InputStream in, int limit, java.util.function.Supplier<IngestRefusedException> tooLarge)
            throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(limit, 16 * 1024));
        byte[] buffer = new byte[16 * 1024];
        int total = 0;
        for (int read = in.read(buffer); read != -1; read = in.read(buffer)) {
            total += read;
            if (total > limit) {
                throw tooLarge.get();
            }
            out.write(buffer, 0, read);
        }
        return out.toByteArray();
    }

    private IngestRefusedException bodyTooLarge() {
        return new IngestRefusedException(HttpStatus.PAYLOAD_TOO_LARGE, Outcome.BODY_TOO_LARGE,
                "body: more than " + limits.maxBodyBytes() + " bytes (maxBodyBytes)");
    }

    private static IngestRefusedException unsupported(String contentType) {
        return new IngestRefusedException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, Outcome.UNSUPPORTED_MEDIA_TYPE,
                "Content-Type: \"" + contentType + "\" is not supported, expected application/json or text/plain");
    }
}
