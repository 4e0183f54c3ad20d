package dev.trackpipeline.bench;

import dev.trackpipeline.launcher.ServiceProcess;
import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.model.kafka.TopicNames;
import dev.trackpipeline.model.metrics.TrackMeters;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The pipeline under a steady load for a long time, sampled at every interval: what the gateway
 * answered and how fast, how far each consumer lags, how long events take to reach each store,
 * and each service's heap and resident memory. A pipeline that holds up shows flat lines.
 */
final class Soak {

    static final String WRITER_GROUP = "soak-writer";
    static final String AGGREGATOR_GROUP = "soak-aggregator";
    private static final String TEXT_PLAIN = "text/plain;charset=UTF-8";
    private static final String END_TO_END_BUCKET = TrackMeters.CONSUME_END_TO_END.replace('.', '_') + "_seconds_bucket";

    /** @param eventsPerSecond null: half of what the gateway takes at saturation, measured first */
    record Options(Path home, TrafficMix traffic, Duration duration, Duration interval, Double eventsPerSecond) {
    }

    /**
     * One interval. Latencies are the load generator's (request start to answer); the end-to-end
     * p99 is the upper bound of the histogram bucket holding it (TrackMeters.LATENCY_BUCKETS).
     */
    record Sample(long elapsedSeconds, double eventsPerSecond, long failures, double p50Ms, double p99Ms, long writerLag,
                  long aggregatorLag, double writerEndToEndP99Ms, double aggregatorEndToEndP99Ms,
                  Map<String, Double> heapMiB, Map<String, Double> liveHeapMiB, Map<String, Double> rssMiB) {
    }

    record Result(double eventsPerSecond, double saturationPerSecond, List<Sample> samples) {
    }

    private final Options options;
    private final PrintStream progress;
    private final HttpClient http = HttpClient.newHttpClient();

    Soak(Options options, PrintStream progress) {
        this.options = options;
        this.progress = progress;
    }

    Result run(Path workDir) throws Exception {
        try (BenchServices services = new BenchServices(options.home(), workDir, true);
             HttpLoad load = new HttpLoad();
             KafkaOffsets offsets = new KafkaOffsets(services.infrastructure().kafkaBootstrapServers(), TopicNames.defaults().eventTopics(new EventFamilies()))) {
            Map<String, ServiceProcess> running = new LinkedHashMap<>();
            running.put("gateway", services.gateway());
            running.put("consumer-writer", services.writer(WRITER_GROUP, "track"));
            running.put("consumer-aggregator", services.aggregator(AGGREGATOR_GROUP, 0));
            URI reportData = URI.create(running.get("gateway").url() + "/reportData");
            List<byte[]> events = options.traffic().events(10_000);

            double saturation = Double.NaN;
            double rate;
            if (options.eventsPerSecond() != null) {
                rate = options.eventsPerSecond();
            } else {
                saturation = saturation(load, reportData, events);
                rate = Math.max(1, Math.floor(saturation / 2));
            }
            progress.printf("soak: %.0f events/s for %s, a sample every %s%n", rate, options.duration(), options.interval());
            // Cold JVMs answer slowly at first: one interval (at most 30 s) at the rate, not sampled.
            Duration warmUp = options.interval().compareTo(Duration.ofSeconds(30)) < 0 ? options.interval() : Duration.ofSeconds(30);
            load.atRate(reportData, TEXT_PLAIN, events, 202, rate, Duration.ZERO, warmUp);
            Map<String, Map<String, Double>> previousBuckets = new TreeMap<>();
            for (Map.Entry<String, ServiceProcess> service : running.entrySet()) {
                previousBuckets.put(service.getKey(), endToEndBuckets(scrape(service.getValue())));
            }

            List<Sample> samples = new ArrayList<>();
            long started = System.nanoTime();
            while (System.nanoTime() - started < options.duration().toNanos()) {
                HttpLoad.Result interval = load.atRate(reportData, TEXT_PLAIN, events, 202, rate, Duration.ZERO, options.interval());
                long elapsed = (System.nanoTime() - started) / 1_000_000_000L;
                long end = KafkaOffsets.sum(offsets.ends().values());
                Map<String, Double> heap = new LinkedHashMap<>();
                Map<String, Double> live = new LinkedHashMap<>();
                Map<String, Double> rss = new LinkedHashMap<>();
                Map<String, Double> endToEnd = new LinkedHashMap<>();
                for (Map.Entry<String, ServiceProcess> service : running.entrySet()) {
                    String scrape = scrape(service.getValue());
                    heap.put(service.getKey(), ResourceSampler.usedHeapBytes(scrape) / (1024 * 1024));
                    live.put(service.getKey(), PrometheusText.sum(scrape, "jvm_gc_live_data_size_bytes") / (1024 * 1024));
                    rss.put(service.getKey(), ResourceSampler.rssKiB(service.getValue().pid()) / 1024.0);
                    Map<String, Double> buckets = endToEndBuckets(scrape);
                    endToEnd.put(service.getKey(), p99Millis(previousBuckets.getOrDefault(service.getKey(), Map.of()), buckets));
                    previousBuckets.put(service.getKey(), buckets);
                }
                Sample sample = new Sample(elapsed, interval.requestsPerSecond(), interval.failures(), interval.p50Ms(), interval.p99Ms(),
                        end - offsets.committed(WRITER_GROUP), end - offsets.committed(AGGREGATOR_GROUP),
                        endToEnd.get("consumer-writer"), endToEnd.get("consumer-aggregator"), heap, live, rss);
                samples.add(sample);
                progress.printf("soak: %5d s  %6.0f ev/s  p99 %6.1f ms  lag %d/%d  e2e p99 <= %.0f/%.0f ms  heap %s MiB  rss %s MiB%n",
                        elapsed, sample.eventsPerSecond(), sample.p99Ms(), sample.writerLag(), sample.aggregatorLag(),
                        sample.writerEndToEndP99Ms(), sample.aggregatorEndToEndP99Ms(), rounded(heap), rounded(rss));
            }
            return new Result(rate, saturation, samples);
        }
    }

    /**
     * What /reportData takes at saturation with both consumers running, so the two cores are
     * shared as they will be during the soak. Measured in rounds of 10 s after 20 s of warm-up
     * until two rounds agree within 10 % (at most 10): the first rounds are slower, while the JIT
     * compiles and the consumers' batches grow with the rate.
     */
    private double saturation(HttpLoad load, URI reportData, List<byte[]> events) throws InterruptedException {
        progress.println("soak: measuring the gateway's saturation with the consumers running, 20 s of warm-up, then rounds of 10 s");
        double previous = load.saturate(reportData, TEXT_PLAIN, events, 202, 64, Duration.ofSeconds(20), Duration.ofSeconds(10))
                .requestsPerSecond();
        progress.printf("soak: saturation round 1: %.0f requests/s%n", previous);
        for (int round = 2; round <= 10; round++) {
            double current = load.saturate(reportData, TEXT_PLAIN, events, 202, 64, Duration.ZERO, Duration.ofSeconds(10))
                    .requestsPerSecond();
            progress.printf("soak: saturation round %d: %.0f requests/s%n", round, current);
            if (Math.abs(current - previous) <= 0.1 * Math.max(current, previous)) {
                return Math.max(current, previous);
            }
            previous = current;
        }
        return previous;
    }

    private String scrape(ServiceProcess service) throws Exception {
        return PrometheusText.scrape(http, service);
    }

    /** Cumulative end-to-end counts per bucket bound ({@code le}), summed over families. */
    static Map<String, Double> endToEndBuckets(String scrape) {
        return PrometheusText.sumByLabel(scrape, END_TO_END_BUCKET, "le");
    }

    /** The bound of the bucket holding the 99th percentile of what arrived between two scrapes; NaN if nothing did. */
    static double p99Millis(Map<String, Double> before, Map<String, Double> after) {
        double total = after.getOrDefault("+Inf", 0.0) - before.getOrDefault("+Inf", 0.0);
        if (total <= 0) {
            return Double.NaN;
        }
        return after.entrySet().stream().filter(bucket -> !bucket.getKey().equals("+Inf"))
                .filter(bucket -> bucket.getValue() - before.getOrDefault(bucket.getKey(), 0.0) >= 0.99 * total)
                .mapToDouble(bucket -> Double.parseDouble(bucket.getKey()) * 1000).min().orElse(Double.POSITIVE_INFINITY);
    }

    private static String rounded(Map<String, Double> values) {
        return values.values().stream().map(value -> String.valueOf(Math.round(value))).reduce((a, b) -> a + "/" + b).orElse("");
    }
}
