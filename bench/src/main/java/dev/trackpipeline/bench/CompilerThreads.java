package dev.trackpipeline.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The CPU time the JIT compiler threads of one or more JVMs (the instances of a stage) have used,
 * from Linux's per-thread accounting ({@code /proc/<pid>/task/<tid>/schedstat}, nanoseconds on a
 * CPU). A fresh service on two cores spends a good part of its first minute compiling: the
 * benchmark waits until its compilers have gone quiet before it measures, and reports what they
 * still used while it measured.
 */
final class CompilerThreads {

    /** Compilers using less than this share of a core over a second count as quiet. */
    static final double QUIET = 0.02;

    /** HotSpot names them "C1 CompilerThread0", "C2 CompilerThread1"; the kernel keeps 15 characters. */
    private static final String NAME = " CompilerThre";
    private static final Duration SAMPLE = Duration.ofMillis(250);

    private final List<Path> processes;

    CompilerThreads(List<Long> pids) {
        this.processes = pids.stream().map(pid -> Path.of("/proc", String.valueOf(pid), "task")).toList();
    }

    /** All the JVMs' compilers together; empty where the operating system does not account threads this way. */
    Optional<Duration> cpu() {
        long nanos = 0;
        for (Path process : processes) {
            if (!Files.isDirectory(process)) {
                return Optional.empty();
            }
            try (Stream<Path> threads = Files.list(process)) {
                nanos += threads.mapToLong(CompilerThreads::compilerNanos).sum();
            } catch (NoSuchFileException gone) {
                return Optional.empty();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return Optional.of(Duration.ofNanos(nanos));
    }

    /**
     * Waits until the compilers, all together, use less than {@code quietShare} of a core over a whole second, or
     * until {@code limit} has passed.
     *
     * @return how long it waited, and whether they went quiet
     */
    Settled awaitQuiet(double quietShare, Duration limit) throws InterruptedException {
        long started = System.nanoTime();
        int samplesPerSecond = (int) (Duration.ofSeconds(1).toMillis() / SAMPLE.toMillis());
        long[] window = new long[samplesPerSecond + 1];
        int taken = 0;
        while (true) {
            Optional<Duration> cpu = cpu();
            if (cpu.isEmpty()) {
                return new Settled(Duration.ofNanos(System.nanoTime() - started), false);
            }
            window[taken % window.length] = cpu.get().toNanos();
            taken++;
            Duration waited = Duration.ofNanos(System.nanoTime() - started);
            if (taken >= window.length) {
                long lastSecond = window[(taken - 1) % window.length] - window[taken % window.length];
                if (lastSecond < quietShare * Duration.ofSeconds(1).toNanos()) {
                    return new Settled(waited, true);
                }
            }
            if (waited.compareTo(limit) >= 0) {
                return new Settled(waited, false);
            }
            Thread.sleep(SAMPLE.toMillis());
        }
    }

    /** How long the wait for quiet compilers took, and whether they went quiet before its limit. */
    record Settled(Duration waited, boolean quiet) {
    }

    private static long compilerNanos(Path thread) {
        try {
            if (!Files.readString(thread.resolve("comm")).contains(NAME)) {
                return 0;
            }
            String schedstat = Files.readString(thread.resolve("schedstat")).trim();
            return Long.parseLong(schedstat.substring(0, schedstat.indexOf(' ')));
        } catch (NoSuchFileException threadEnded) {
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
