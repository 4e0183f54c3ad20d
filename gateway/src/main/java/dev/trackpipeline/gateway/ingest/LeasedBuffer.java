package dev.trackpipeline.gateway.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * Reads a stream into one array that grows by doubling, each size taken from the request's
 * {@link ParsingMemory.Lease} before it is allocated. Growth stops at the expected length when
 * one is known, so a body whose length was told right needs no final copy; a wrong one costs at
 * most a doubling more.
 */
final class LeasedBuffer {

    private static final int FIRST_CAPACITY = 16 * 1024;

    private final ParsingMemory.Lease memory;
    private final int limit;
    private final long expected;
    private final Supplier<IngestRefusedException> tooLarge;
    private final Supplier<IngestRefusedException> overloaded;
    private byte[] bytes = new byte[0];
    private int size;

    /**
     * @param expected   the length the stream says it has (Content-Length, gzip's trailer), or -1
     * @param tooLarge   thrown when the stream holds more than {@code limit} bytes
     * @param overloaded thrown when the lease cannot have the memory for the next size
     */
    LeasedBuffer(ParsingMemory.Lease memory, int limit, long expected, Supplier<IngestRefusedException> tooLarge,
                 Supplier<IngestRefusedException> overloaded) {
        this.memory = memory;
        this.limit = limit;
        this.expected = expected;
        this.tooLarge = tooLarge;
        this.overloaded = overloaded;
    }

    /** The whole stream, in an array of its exact length that the lease holds. */
    byte[] readAll(InputStream in) throws IOException {
        while (true) {
            if (size == bytes.length) {
                int next = in.read(); // the end is usually here: then no larger array is needed
                if (next == -1) {
                    break;
                }
                if (size == limit) {
                    throw tooLarge.get();
                }
                grow();
                bytes[size++] = (byte) next;
            }
            int read = in.read(bytes, size, bytes.length - size);
            if (read == -1) {
                break;
            }
            size += read;
        }
        return size == bytes.length ? bytes : resize(size);
    }

    private void grow() {
        int doubled = (int) Math.min(limit, Math.max(FIRST_CAPACITY, 2L * bytes.length));
        resize(size < expected ? (int) Math.min(doubled, expected) : doubled);
    }

    private byte[] resize(int capacity) {
        if (!memory.tryTake(capacity)) {
            throw overloaded.get();
        }
        byte[] resized = Arrays.copyOf(bytes, capacity);
        memory.giveBack(bytes.length);
        bytes = resized;
        return resized;
    }
}
