package dev.trackpipeline.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How busy the whole machine's CPU was, from Linux's {@code /proc/stat}: every process on it,
 * those of the run (wrk included) and any other. On two cores a second instance of a stage can
 * only take what one left idle, so a scale-out figure is read beside how busy the cores already
 * were; and a share of busy time the run's own processes do not account for says something else
 * was running.
 */
record MachineCpu(long busyTicks, long totalTicks) {

    private static final Path STAT = Path.of("/proc/stat");
    private static final MachineCpu UNKNOWN = new MachineCpu(0, 0);

    /** Now; where there is no {@code /proc/stat}, a reading whose shares are NaN. */
    static MachineCpu now() {
        if (!Files.isReadable(STAT)) {
            return UNKNOWN;
        }
        try {
            return parse(Files.readAllLines(STAT).get(0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The machine's line of {@code /proc/stat}: {@code cpu user nice system idle iowait irq softirq
     * steal guest guest_nice}, in ticks summed over every core. Idle and waiting for I/O count as
     * not busy; guest time is already inside user time, and is left out.
     */
    static MachineCpu parse(String cpuLine) {
        String[] fields = cpuLine.trim().split("\\s+");
        if (!fields[0].equals("cpu")) {
            throw new IllegalArgumentException("not the machine's cpu line of /proc/stat: " + cpuLine);
        }
        long total = 0;
        long idle = 0;
        for (int field = 1; field <= Math.min(8, fields.length - 1); field++) {
            long ticks = Long.parseLong(fields[field]);
            total += ticks;
            if (field == 4 || field == 5) {
                idle += ticks;
            }
        }
        return new MachineCpu(total - idle, total);
    }

    /** The share of all the cores' time that was busy since {@code earlier}, 0 to 1. */
    double busyShareSince(MachineCpu earlier) {
        long total = totalTicks - earlier.totalTicks;
        return total <= 0 ? Double.NaN : (double) (busyTicks - earlier.busyTicks) / total;
    }
}
