package dev.trackpipeline.gateway.ingest;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A request body's wire with a deadline for the whole body. A blocking read returns only when
 * bytes come or Tomcat's wait for them runs out, and that wait starts again with every byte: a
 * client sending one byte every few seconds would keep a request thread for as long as it liked.
 * So the first read that returns bytes after the deadline refuses the body, and a read that Tomcat
 * gave up waiting for (its per-read timeout, see {@link SlowBodyReads}) is refused the same way.
 * The end of the body is never refused: a body that was all there is read whatever the time.
 */
final class DeadlineInputStream extends FilterInputStream {

    private final long deadline;
    private final LongSupplier nanoClock;
    private final Supplier<IngestRefusedException> timedOut;

    /**
     * @param nanoClock as {@link System#nanoTime()}
     * @param timedOut  thrown once the deadline has passed, or when a read timed out
     */
    DeadlineInputStream(InputStream wire, Duration timeout, LongSupplier nanoClock, Supplier<IngestRefusedException> timedOut) {
        super(wire);
        this.nanoClock = nanoClock;
        this.deadline = nanoClock.getAsLong() + timeout.toNanos();
        this.timedOut = timedOut;
    }

    @Override
    public int read() throws IOException {
        int next;
        try {
            next = in.read();
        } catch (IOException e) {
            throw refusedIfTimedOut(e);
        }
        if (next != -1) {
            checkDeadline();
        }
        return next;
    }

    @Override
    public int read(byte[] into, int offset, int length) throws IOException {
        int read;
        try {
            read = in.read(into, offset, length);
        } catch (IOException e) {
            throw refusedIfTimedOut(e);
        }
        if (read > 0) {
            checkDeadline();
        }
        return read;
    }

    @Override
    public long skip(long count) throws IOException {
        long skipped;
        try {
            skipped = in.skip(count);
        } catch (IOException e) {
            throw refusedIfTimedOut(e);
        }
        checkDeadline();
        return skipped;
    }

    private void checkDeadline() {
        if (nanoClock.getAsLong() - deadline > 0) {
            throw timedOut.get();
        }
    }

    /** Tomcat reports its read timeout as a ClientAbortException caused by the socket's SocketTimeoutException. */
    private IOException refusedIfTimedOut(IOException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SocketTimeoutException) {
                throw timedOut.get();
            }
        }
        return e;
    }
}
