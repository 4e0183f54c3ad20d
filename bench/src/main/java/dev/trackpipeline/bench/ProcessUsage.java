package dev.trackpipeline.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** What a group of processes (a service, or the infrastructure and its redis-server) has used so far. */
record ProcessUsage(Duration cpu, long peakRssKiB) {

    static ProcessUsage of(List<ProcessHandle> processes) {
        Duration cpu = Duration.ZERO;
        long peak = 0;
        for (ProcessHandle process : processes) {
            cpu = cpu.plus(process.info().totalCpuDuration().orElse(Duration.ZERO));
            peak += peakRssKiB(process.pid());
        }
        return new ProcessUsage(cpu, peak);
    }

    /** CPU per event between {@code earlier} and now, in microseconds. */
    double cpuMicrosPerEventSince(ProcessUsage earlier, double events) {
        return cpu.minus(earlier.cpu).toNanos() / 1e3 / events;
    }

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
