package dev.trackpipeline.writer.query;

import dev.trackpipeline.runtime.ApiException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;

/**
 * The read API's opaque cursors: where the next page starts, as the position of the last item
 * a page held. A client gets one in an answer's {@code next} and passes it back as {@code after};
 * the next page holds what follows that position, so items stored or expired meanwhile shift no
 * page and none is seen twice or skipped.
 *
 * <p>A cursor is base64url (no padding) of: a version byte, a kind byte (which order it is a
 * position in), then for a list of events the time (8 bytes), the collection's name (a length
 * byte and ASCII) and the event id (UTF-8, the rest); for a recording's chunks the time and the
 * received-at (8 bytes each) and the chunk's id. Everything a client sends back is checked: a
 * cursor that is not one this API could have issued is refused with a 400 naming the parameter.
 */
final class PageCursors {

    /** Longer than any cursor this API issues for an id of at most {@link #MAX_ID_BYTES}. */
    static final int MAX_LENGTH = 2048;
    /**
     * The longest event id a cursor carries. The pipeline's ids are 32 hex digits; only a record
     * written to a topic past the gateway can carry another.
     */
    static final int MAX_ID_BYTES = 1024;

    private static final byte VERSION = 1;
    private static final Pattern BASE64URL = Pattern.compile("[A-Za-z0-9_-]+");
    private static final Pattern COLLECTION = Pattern.compile("[a-z][a-z0-9-]{0,63}");

    /** What a cursor is a position in. */
    enum Kind {
        EVENTS((byte) 'E', "a list of events (newest first)"),
        CHUNKS((byte) 'C', "a recording's chunks (in recorded order)");

        private final byte tag;
        private final String description;

        Kind(byte tag, String description) {
            this.tag = tag;
            this.description = description;
        }
    }

    /** The position of an event in a list ordered newest first: by time descending, then id, then collection. */
    record EventPosition(long time, String id, String collection) {
    }

    /** The position of a chunk in a recording: by time, then received-at, then id, all ascending. */
    record ChunkPosition(long time, long receivedAt, String id) {
    }

    private PageCursors() {
    }

    static String encode(EventPosition position) {
        byte[] collection = position.collection().getBytes(StandardCharsets.US_ASCII);
        byte[] id = idBytes(position.id());
        ByteBuffer buffer = ByteBuffer.allocate(2 + 8 + 1 + collection.length + id.length);
        buffer.put(VERSION).put(Kind.EVENTS.tag).putLong(position.time()).put((byte) collection.length).put(collection).put(id);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(buffer.array());
    }

    static String encode(ChunkPosition position) {
        byte[] id = idBytes(position.id());
        ByteBuffer buffer = ByteBuffer.allocate(2 + 8 + 8 + id.length);
        buffer.put(VERSION).put(Kind.CHUNKS.tag).putLong(position.time()).putLong(position.receivedAt()).put(id);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(buffer.array());
    }

    /** @throws ApiException 400 naming {@code parameter} when {@code text} is not a cursor of a list of events */
    static EventPosition decodeEvents(String parameter, String text) {
        ByteBuffer buffer = open(parameter, text, Kind.EVENTS);
        if (buffer.remaining() < 8 + 1) {
            throw malformed(parameter, "it is cut short");
        }
        long time = time(parameter, buffer.getLong());
        int collectionLength = Byte.toUnsignedInt(buffer.get());
        if (buffer.remaining() < collectionLength) {
            throw malformed(parameter, "it is cut short");
        }
        byte[] collectionBytes = new byte[collectionLength];
        buffer.get(collectionBytes);
        String collection = new String(collectionBytes, StandardCharsets.US_ASCII);
        if (!COLLECTION.matcher(collection).matches()) {
            throw malformed(parameter, "it names no collection");
        }
        return new EventPosition(time, id(parameter, buffer), collection);
    }

    /** @throws ApiException 400 naming {@code parameter} when {@code text} is not a cursor of a recording's chunks */
    static ChunkPosition decodeChunks(String parameter, String text) {
        ByteBuffer buffer = open(parameter, text, Kind.CHUNKS);
        if (buffer.remaining() < 8 + 8) {
            throw malformed(parameter, "it is cut short");
        }
        long time = time(parameter, buffer.getLong());
        long receivedAt = buffer.getLong();
        if (receivedAt < 0) {
            throw malformed(parameter, "its received-at is negative");
        }
        return new ChunkPosition(time, receivedAt, id(parameter, buffer));
    }

    private static ByteBuffer open(String parameter, String text, Kind expected) {
        if (text.length() > MAX_LENGTH) {
            throw new ApiException(HttpStatus.BAD_REQUEST, parameter + ": a cursor has at most " + MAX_LENGTH + " characters, got "
                    + text.length());
        }
        if (!BASE64URL.matcher(text).matches()) {
            throw malformed(parameter, "it is not base64url");
        }
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw malformed(parameter, "it is not base64url");
        }
        if (!Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).equals(text)) {
            throw malformed(parameter, "it is not base64url as this API writes it");
        }
        if (bytes.length < 2) {
            throw malformed(parameter, "it is cut short");
        }
        if (bytes[0] != VERSION) {
            throw malformed(parameter, "it is of an unknown version");
        }
        if (bytes[1] != expected.tag) {
            for (Kind kind : Kind.values()) {
                if (bytes[1] == kind.tag) {
                    throw new ApiException(HttpStatus.BAD_REQUEST, parameter + ": this cursor is a position in " + kind.description
                            + ", not in " + expected.description + "; pass the next of an answer of this endpoint");
                }
            }
            throw malformed(parameter, "it is of an unknown kind");
        }
        return ByteBuffer.wrap(bytes, 2, bytes.length - 2);
    }

    private static long time(String parameter, long time) {
        if (time <= 0) {
            throw malformed(parameter, "its time is not a positive epoch millisecond");
        }
        return time;
    }

    private static String id(String parameter, ByteBuffer rest) {
        if (!rest.hasRemaining()) {
            throw malformed(parameter, "it holds no id");
        }
        if (rest.remaining() > MAX_ID_BYTES) {
            throw malformed(parameter, "its id is longer than " + MAX_ID_BYTES + " bytes");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(rest).toString();
        } catch (CharacterCodingException e) {
            throw malformed(parameter, "its id is not UTF-8");
        }
    }

    private static byte[] idBytes(String id) {
        byte[] bytes = id.getBytes(StandardCharsets.UTF_8);
        if (bytes.length == 0 || bytes.length > MAX_ID_BYTES) {
            // Only a record written to a topic past the gateway can carry such an id.
            throw new IllegalStateException("an event id of " + bytes.length + " bytes cannot be a cursor (at most " + MAX_ID_BYTES + ")");
        }
        return bytes;
    }

    private static ApiException malformed(String parameter, String why) {
        return new ApiException(HttpStatus.BAD_REQUEST, parameter + ": not a cursor this API issued (" + why
                + "); pass the next of a previous answer unchanged");
    }
}
