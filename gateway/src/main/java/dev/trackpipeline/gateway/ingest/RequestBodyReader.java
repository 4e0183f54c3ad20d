package dev.trackpipeline.gateway.ingest;

import dev.trackpipeline.model.Outcome;
import dev.trackpipeline.model.ingest.IngestLimits;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;

/**
 * Reads a {@code /reportData} body within the configured limits: never more than the body limit
 * from the wire, never more than the decompressed limit out of gzip, so neither a huge upload
 * nor a gzip bomb can take the gateway's memory; and every buffer within the request's share of
 * {@link ParsingMemory}, so neither can many of them at once; and never for longer than the
 * body-read timeout, so a slow or stalled client cannot keep the request thread that reads it.
 */
final class RequestBodyReader {

    private final IngestLimits limits;
    private final Duration timeout;
    private final LongSupplier nanoClock;

    RequestBodyReader(IngestLimits limits, Duration timeout) {
        this(limits, timeout, System::nanoTime);
    }

    /** @param nanoClock as {@link System#nanoTime()} */
    RequestBodyReader(IngestLimits limits, Duration timeout, LongSupplier nanoClock) {
        this.limits = limits;
        this.timeout = timeout;
        this.nanoClock = nanoClock;
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

    /**
     * @param memory holds every buffer the body takes as it grows; when it cannot, the request is
     *               refused 503 {@link Outcome#OVERLOADED} (after the rest of the body is read
     *               and dropped, so the client gets the answer rather than a reset connection)
     * @return the decompressed body, which {@code memory} holds
     * @throws IngestRefusedException 408 {@link Outcome#BODY_TIMEOUT} when the body is not all there
     *                                within the timeout, or a read of it timed out
     */
    byte[] read(InputStream wire, long declaredLength, String contentEncoding, ParsingMemory.Lease memory) throws IOException {
        return read(wire, declaredLength, contentEncoding, memory, UnaryOperator.identity());
    }

    /**
     * @param charged the body as it comes out of the wire, or out of gzip, charged to its client
     *                ({@link BytesPerClient}): a read it refuses stops the body there
     */
    byte[] read(InputStream wire, long declaredLength, String contentEncoding, ParsingMemory.Lease memory,
                UnaryOperator<InputStream> charged) throws IOException {
        if (declaredLength > limits.maxBodyBytes()) {
            throw bodyTooLarge();
        }
        String encoding = contentEncoding == null ? "identity" : contentEncoding.trim().toLowerCase(Locale.ROOT);
        boolean gzip = switch (encoding) {
            case "", "identity" -> false;
            case "gzip", "x-gzip" -> true;
            default -> throw new IngestRefusedException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, Outcome.UNSUPPORTED_MEDIA_TYPE,
                    "Content-Encoding: \"" + contentEncoding + "\" is not supported, expected gzip or none");
        };
        InputStream timed = new DeadlineInputStream(wire, timeout, nanoClock, () -> timedOut(timeout));
        byte[] body;
        try {
            body = new LeasedBuffer(memory, limits.maxBodyBytes(), declaredLength, this::bodyTooLarge, RequestBodyReader::overloaded)
                    .readAll(gzip ? timed : charged.apply(timed));
        } catch (IngestRefusedException e) {
            if (e.outcome() == Outcome.OVERLOADED) {
                drain(timed);
            }
            throw e;
        }
        if (!gzip) {
            return body;
        }
        byte[] decompressed = gunzip(body, memory, charged);
        memory.giveBack(body.length);
        return decompressed;
    }

    private byte[] gunzip(byte[] compressed, ParsingMemory.Lease memory, UnaryOperator<InputStream> charged) throws IOException {
        try (InputStream gzip = charged.apply(new GZIPInputStream(new ByteArrayInputStream(compressed)))) {
            return new LeasedBuffer(memory, limits.maxDecompressedBytes(), statedLength(compressed), () -> new IngestRefusedException(
                    HttpStatus.PAYLOAD_TOO_LARGE, Outcome.BODY_TOO_LARGE,
                    "body: more than " + limits.maxDecompressedBytes() + " bytes after gzip (maxDecompressedBytes)"),
                    RequestBodyReader::overloaded).readAll(gzip);
        } catch (ZipException | java.io.EOFException e) {
            throw new IngestRefusedException(HttpStatus.BAD_REQUEST, Outcome.INVALID_JSON,
                    "body: Content-Encoding is gzip but the body is not valid gzip");
        }
    }

    /** The decompressed length gzip's trailer states (modulo 4 GiB, of the last member only): a hint, never trusted. */
    private static long statedLength(byte[] gzip) {
        if (gzip.length < 18) {
            return -1;
        }
        int at = gzip.length - 4;
        return (gzip[at] & 0xffL) | (gzip[at + 1] & 0xffL) << 8 | (gzip[at + 2] & 0xffL) << 16 | (gzip[at + 3] & 0xffL) << 24;
    }

    /**
     * Reads and drops what is left of a refused body, up to the body limit, holding nothing; within
     * the same deadline, past which the body is refused as late instead.
     */
    private void drain(InputStream wire) {
        byte[] scratch = new byte[8 * 1024];
        try {
            for (long left = limits.maxBodyBytes(); left > 0; ) {
                int read = wire.read(scratch, 0, (int) Math.min(scratch.length, left));
                if (read == -1) {
                    return;
                }
                left -= read;
            }
        } catch (IOException e) {
            // the client went away: there is no one left to answer
        }
    }

    static IngestRefusedException timedOut(Duration timeout) {
        return new IngestRefusedException(HttpStatus.REQUEST_TIMEOUT, Outcome.BODY_TIMEOUT,
                "body: not received within " + shortly(timeout) + " (bodyReadTimeout)");
    }

    /** 10s, or 1500ms: as the setting is usually written. */
    private static String shortly(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }

    static IngestRefusedException overloaded() {
        return new IngestRefusedException(HttpStatus.SERVICE_UNAVAILABLE, Outcome.OVERLOADED,
                "the gateway is reading and parsing as much as its memory allows; nothing was accepted, retry later");
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
