package dev.trackpipeline.writer.store;

import java.nio.charset.StandardCharsets;
import org.bson.io.BasicOutputBuffer;

/**
 * A BSON output that writes an ASCII string in one copy. The driver's own output writes strings a
 * character at a time, which made encoding the largest part of the writer's insert time: a
 * session-replay chunk carries an 80 KB base64 string. Any other string (non-ASCII, a lone
 * surrogate, a NUL where BSON forbids one) is left to the driver, so the bytes and the errors are
 * the driver's in every case.
 */
final class BulkStringOutputBuffer extends BasicOutputBuffer {

    BulkStringOutputBuffer(int initialSize) {
        super(initialSize);
    }

    @Override
    protected int writeCharacters(String text, boolean checkForNullCharacters) {
        if (!isAscii(text, checkForNullCharacters)) {
            return super.writeCharacters(text, checkForNullCharacters);
        }
        writeBytes(text.getBytes(StandardCharsets.US_ASCII));
        write(0);
        return text.length() + 1;
    }

    /** Checked on the characters: an encoder would turn a lone surrogate into a one-byte '?', which a length check misses. */
    private static boolean isAscii(String text, boolean withoutNul) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x80 || (withoutNul && c == 0)) {
                return false;
            }
        }
        return true;
    }
}
