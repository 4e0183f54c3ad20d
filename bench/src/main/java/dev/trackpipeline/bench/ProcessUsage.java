package dev.trackpipeline.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What a group of processes (a service, or the infrastructure and its redis-server) has used so far:
 * CPU, of which its JIT compilers' threads, and the peak of resident memory.
 */
record ProcessUsage(Duration cpu, Duration compilerCpu, long peakRssKiB) {

    static ProcessUsage of(List<ProcessHandle> processes) {
        Duration cpu = Duration.ZERO;
        Duration compilers = Duration.ZERO;
        long peak = 0;
        for (ProcessHandle process : processes) {
            cpu = cpu.plus(process.info().totalCpuDuration().orElse(Duration.ZERO));
            compilers = compilers.plus(compilerCpu(process.pid()));
            peak += peakRssKiB(process.pid());
        }
        return new ProcessUsage(cpu, compilers, peak);
    }

    /** CPU of the JIT compilers between {@code earlier} and now, in seconds. */
    double compilerSecondsSince(ProcessUsage earlier) {
        return compilerCpu.minus(earlier.compilerCpu).toNanos() / 1e9;
    }

    /** CPU per event between {@code earlier} and now, in microseconds. */
    double cpuMicrosPerEventSince(ProcessUsage earlier, double events) {
        return cpu.minus(earlier.cpu).toNanos() / 1e3 / events;
    }

    /**
     * CPU used so far by a JVM's compiler threads (HotSpot names them "C1 CompilerThread<n>" and
     * "C2 CompilerThread<n>"; Linux shows the first 15 characters). On two cores a JVM keeps one of
     * each for its whole life; with more, a compiler thread that ended takes its CPU with it, and
     * the figure is a lower bound.
     */
    static Duration compilerCpu(long pid) {
        long ticks = 0;
        try (DirectoryStream<Path> threads = Files.newDirectoryStream(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (Path thread : threads) {
                String stat;
                try {
                    stat = Files.readString(thread.resolve("stat"));
                } catch (IOException ended) {
                    continue;
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
                }
            }
        } catch (IOException e) {
            return Duration.ZERO; // the process has ended
        }
        return Duration.ofMillis(ticks * 1000 / CLOCK_TICKS_PER_SECOND);
    }

    /** USER_HZ: the unit of /proc's CPU times, 100 on every Linux build that matters here. */
    private static final long CLOCK_TICKS_PER_SECOND = 100;

    /** The most resident memory the process has held since it started ({@code VmHWM}). */
    static long peakRssKiB(long pid) {
        Path status = Path.of("/proc", String.valueOf(pid), "status");
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            return 0; // the process has ended
        }
        return 0;
    }
}
