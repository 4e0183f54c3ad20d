package dev.trackpipeline.bench;

import dev.trackpipeline.launcher.ServiceProcess;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The most memory a service held while it was under load: resident set size from
 * {@code /proc/<pid>/status}, and used heap from its own Prometheus endpoint, sampled twice a
 * second.
 */
final class ResourceSampler implements AutoCloseable {

    /** Peaks, in MiB. */
    record Peak(double rssMiB, double heapMiB) {
    }

    private static final String HEAP_USED = "jvm_memory_used_bytes";

    private final ServiceProcess service;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "bench-sampler");
        thread.setDaemon(true);
        return thread;
    });
    private volatile double rssMiB;
    private volatile double heapMiB;

    ResourceSampler(ServiceProcess service) {
        this.service = service;
        timer.scheduleAtFixedRate(this::sample, 0, 500, TimeUnit.MILLISECONDS);
    }

    Peak peak() {
        return new Peak(rssMiB, heapMiB);
    }

    /** The peaks including a sample taken now, for a measurement shorter than the sampling period. */
    Peak peakIncludingNow() {
        sample();
        return peak();
    }

    private synchronized void sample() {
        try {
            rssMiB = Math.max(rssMiB, rssKiB(service.pid()) / 1024.0);
            heapMiB = Math.max(heapMiB, usedHeapBytes(PrometheusText.scrape(http, service, HEAP_USED)) / (1024.0 * 1024));
        } catch (IOException | RuntimeException e) {
            // a missed sample under load; the next one counts
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static long rssKiB(long pid) throws IOException {
        Path status = Path.of("/proc", String.valueOf(pid), "status");
        if (!Files.exists(status)) {
            return 0;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }

    /** Sum of {@code jvm_memory_used_bytes} over the heap pools. */
    static double usedHeapBytes(String prometheus) {
        return PrometheusText.sum(prometheus, HEAP_USED, "area=\"heap\"");
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
