package dev.trackpipeline.bench;

import java.io.PrintStream;
import java.time.Duration;

/** A benchmark's progress, a line a step, each with the time since the benchmark began. */
final class ProgressLines {

    private final PrintStream out;
    private final long startedAt = System.nanoTime();

    ProgressLines(PrintStream out) {
        this.out = out;
    }

    void step(String what) {
        long elapsed = Duration.ofNanos(System.nanoTime() - startedAt).toSeconds();
        out.printf("bench [%d:%02d]: %s%n", elapsed / 60, elapsed % 60, what);
    }
}
