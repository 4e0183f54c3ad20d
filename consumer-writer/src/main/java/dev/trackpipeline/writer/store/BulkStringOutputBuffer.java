package dev.trackpipeline.writer.store;

import java.nio.charset.StandardCharsets;
import org.bson.io.BasicOutputBuffer;

/**
 * A BSON output that writes a string's UTF-8 bytes in one copy. The driver's own output encodes
 * strings a character at a time, which made encoding the largest part of the writer's insert
 * time: a session-replay chunk carries an 80 KB base64 string. A string the JDK would encode
 * differently from the driver (one holding a lone surrogate) and a name holding a NUL, which BSON
 * forbids, are left to the driver, so the bytes and the errors are the driver's in every case.
 */
final class BulkStringOutputBuffer extends BasicOutputBuffer {

    BulkStringOutputBuffer(int initialSize) {
        super(initialSize);
    }

    @Override
    protected int writeCharacters(String text, boolean checkForNullCharacters) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        if (!encodesBothWays(text, utf8) || (checkForNullCharacters && text.indexOf('\0') >= 0)) {
            return super.writeCharacters(text, checkForNullCharacters);
        }
        writeBytes(utf8);
        write(0);
        return utf8.length + 1;
    }

    /**
     * UTF-8 round-trips every string but one with a lone surrogate, which the JDK's encoder
     * replaces by '?' where the driver writes three bytes. On the captured mix this check costs
     * what a loop over the characters looking for non-ASCII ones did, and it lets non-ASCII text
     * be copied in one go as well.
     */
    private static boolean encodesBothWays(String text, byte[] utf8) {
        return new String(utf8, StandardCharsets.UTF_8).equals(text);
    }
}
