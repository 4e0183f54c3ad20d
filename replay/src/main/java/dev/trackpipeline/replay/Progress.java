package dev.trackpipeline.replay;

import java.io.PrintWriter;

/** Progress of a long export on stderr (events, rate, ETA), shown only to a person at a terminal. */
final class Progress {

    private final PrintWriter err;
    private final long expected;
    private final boolean interactive = System.console() != null;
    private final long started = System.nanoTime();
    private long lastShown = started;

    Progress(PrintWriter err, long expected) {
        this.err = err;
        this.expected = expected;
    }

    void update(long done) {
        long now = System.nanoTime();
        if (!interactive || now - lastShown < 1_000_000_000L) {
            return;
        }
        lastShown = now;
        double rate = done / ((now - started) / 1e9);
        long etaSeconds = rate > 0 ? (long) ((expected - done) / rate) : 0;
        err.printf("\r%d / at most %d events, %.0f events/s, ETA %d s   ", done, expected, rate, etaSeconds);
        err.flush();
    }

    void finish() {
        if (interactive) {
            err.print("\r" + " ".repeat(70) + "\r");
            err.flush();
        }
    }
}
