package dev.trackpipeline.writer.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.runtime.ApiException;
import dev.trackpipeline.writer.query.PageCursors.ChunkPosition;
import dev.trackpipeline.writer.query.PageCursors.EventPosition;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

/** The read API's cursors: what it issues it takes back, and anything else is a 400 that names the parameter. */
class PageCursorsTest {

    static final EventPosition EVENT = new EventPosition(1795642106952L, "0123456789abcdef0123456789abcdef", "http");
    static final ChunkPosition CHUNK = new ChunkPosition(1795642114302L, 1795642115000L, "fedcba9876543210fedcba9876543210");

    @Test
    void takesBackWhatItIssuesAndTheCursorIsUrlSafe() {
        String events = PageCursors.encode(EVENT);
        String chunks = PageCursors.encode(CHUNK);

        assertThat(events).matches("[A-Za-z0-9_-]+");
        assertThat(chunks).matches("[A-Za-z0-9_-]+");
        assertThat(PageCursors.decodeEvents("after", events)).isEqualTo(EVENT);
        assertThat(PageCursors.decodeChunks("after", chunks)).isEqualTo(CHUNK);
    }

    @Test
    void anyIdTheWriterCanStoreRoundTrips() {
        EventPosition unusual = new EventPosition(1L, "written past the gateway: ü € 😀", "error");

        assertThat(PageCursors.decodeEvents("after", PageCursors.encode(unusual))).isEqualTo(unusual);
    }

    @Test
    void refusesACursorOfAnotherOrderNamingWhatItIs() {
        assertRefused(() -> PageCursors.decodeEvents("after", PageCursors.encode(CHUNK)),
                "after: this cursor is a position in a recording's chunks (in recorded order), not in a list of events (newest first)");
        assertRefused(() -> PageCursors.decodeChunks("after", PageCursors.encode(EVENT)),
                "after: this cursor is a position in a list of events (newest first), not in a recording's chunks (in recorded order)");
    }

    @Test
    void refusesTextThatIsNotBase64url() {
        assertRefused(() -> PageCursors.decodeEvents("after", "not a cursor"), "after: not a cursor this API issued (it is not base64url)");
        assertRefused(() -> PageCursors.decodeEvents("after", ""), "after: not a cursor this API issued (it is not base64url)");
        assertRefused(() -> PageCursors.decodeEvents("after", PageCursors.encode(EVENT) + "="),
                "after: not a cursor this API issued (it is not base64url)");
        // Standard base64's alphabet, not the URL's.
        assertRefused(() -> PageCursors.decodeEvents("after", "ab+/"), "after: not a cursor this API issued (it is not base64url)");
        // A length no encoding has.
        assertRefused(() -> PageCursors.decodeEvents("after", "abcde"), "after: not a cursor this API issued (it is not base64url)");
    }

    @Test
    void refusesAnotherSpellingOfTheSameBytes() {
        // "AQ" and "AR" decode to the same byte; only the first is what the encoder writes.
        assertRefused(() -> PageCursors.decodeEvents("after", "AR"),
                "after: not a cursor this API issued (it is not base64url as this API writes it)");
    }

    @Test
    void refusesACursorLongerThanAnyItIssues() {
        ApiException refused = refusal(() -> PageCursors.decodeEvents("after", "A".repeat(PageCursors.MAX_LENGTH + 1)));

        assertThat(refused.getMessage()).isEqualTo("after: a cursor has at most 2048 characters, got 2049");
    }

    @Test
    void refusesACursorCutShortOrOfAnUnknownVersionOrKind() {
        String whole = PageCursors.encode(EVENT);
        byte[] bytes = Base64.getUrlDecoder().decode(whole);

        assertRefused(() -> PageCursors.decodeEvents("after", encode(new byte[] {1})), "it is cut short");
        assertRefused(() -> PageCursors.decodeEvents("after", encode(java.util.Arrays.copyOf(bytes, 9))), "it is cut short");
        assertRefused(() -> PageCursors.decodeEvents("after", encode(java.util.Arrays.copyOf(bytes, 12))), "it is cut short");
        bytes[0] = 2;
        assertRefused(() -> PageCursors.decodeEvents("after", encode(bytes)), "it is of an unknown version");
        bytes[0] = 1;
        bytes[1] = 'X';
        assertRefused(() -> PageCursors.decodeEvents("after", encode(bytes)), "it is of an unknown kind");
    }

    @Test
    void refusesAPositionNoStoredEventCanHave() {
        assertRefused(() -> PageCursors.decodeEvents("after", events(0L, "http", "abc".getBytes(StandardCharsets.UTF_8))),
                "its time is not a positive epoch millisecond");
        assertRefused(() -> PageCursors.decodeEvents("after", events(-5L, "http", "abc".getBytes(StandardCharsets.UTF_8))),
                "its time is not a positive epoch millisecond");
        assertRefused(() -> PageCursors.decodeEvents("after", events(5L, "http", new byte[0])), "it holds no id");
        assertRefused(() -> PageCursors.decodeEvents("after", events(5L, "http", new byte[] {(byte) 0xC3, (byte) 0x28})),
                "its id is not UTF-8");
        assertRefused(() -> PageCursors.decodeEvents("after", events(5L, "http", "a".repeat(1025).getBytes(StandardCharsets.UTF_8))),
                "its id is longer than 1024 bytes");
        assertRefused(() -> PageCursors.decodeEvents("after", events(5L, "$where", "abc".getBytes(StandardCharsets.UTF_8))),
                "it names no collection");
        assertRefused(() -> PageCursors.decodeEvents("after", events(5L, "", "abc".getBytes(StandardCharsets.UTF_8))),
                "it names no collection");
    }

    @Test
    void namesTheParameterItWasPassedAs() {
        assertThat(refusal(() -> PageCursors.decodeChunks("afterChunk", "%%")).getMessage()).startsWith("afterChunk: ");
    }

    private static String events(long time, String collection, byte[] id) {
        byte[] name = collection.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer buffer = ByteBuffer.allocate(2 + 8 + 1 + name.length + id.length);
        buffer.put((byte) 1).put((byte) 'E').putLong(time).put((byte) name.length).put(name).put(id);
        return encode(buffer.array());
    }

    private static String encode(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static void assertRefused(Runnable decode, String message) {
        ApiException refused = refusal(decode);
        assertThat(refused.status()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(refused.getMessage()).startsWith("after: ").contains(message);
    }

    private static ApiException refusal(Runnable decode) {
        return (ApiException) org.assertj.core.api.Assertions.catchThrowable(decode::run);
    }
}
