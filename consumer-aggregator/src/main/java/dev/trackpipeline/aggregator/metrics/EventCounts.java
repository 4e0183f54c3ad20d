package dev.trackpipeline.aggregator.metrics;

import dev.trackpipeline.aggregator.AggregatorProperties;
import dev.trackpipeline.aggregator.metrics.MetricKeys.Resolution;
import dev.trackpipeline.aggregator.metrics.MetricUpdate.Operation;
import dev.trackpipeline.model.errors.ErrorFingerprints;
import dev.trackpipeline.model.urls.UrlPaths;
import dev.trackpipeline.model.errors.ErrorGroup;
import dev.trackpipeline.model.event.EventNumbers;
import dev.trackpipeline.model.event.PerformanceEvents;
import dev.trackpipeline.model.kafka.EventRecord;
import dev.trackpipeline.model.vitals.VitalThresholds;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What one event adds to the metrics, in every bucket it falls in. Buckets follow the gateway's
 * received-at, not the browser's clock: skewed clients cannot scatter counts, and a rebuild from
 * the topics lands in the same buckets.
 *
 * <p>Client text names nothing in Redis at any length: a page is at most 200 characters
 * ({@link UrlPaths#page}), a failing request at most {@link BoundedText#MAX_LENGTH}, and an error
 * group is named by its fingerprint; the script caps how many of each a bucket keeps apart.
 */
@Component
public class EventCounts {

    private static final Set<String> STATUSES = Set.of("ok", "error");
    private static final Set<String> SDK_RATINGS = Set.of("good", "needs-improvement", "poor");
    /** Durations above an hour are measurement errors, not slow pages. */
    private static final double LONGEST_PLAUSIBLE_MS = 3_600_000;
    /** No browser tab holds more JavaScript heap than this; larger values are measurement errors. */
    private static final double LARGEST_PLAUSIBLE_HEAP_BYTES = 64L * 1024 * 1024 * 1024;

    /**
     * The most fields a page's hash (or the hash of a bucket's {@code (other)} pages) can have,
     * whatever it is sent: per vital, 7 counts (invalid, 3 ratings, 3 ratings of the SDK's) and the
     * buckets of its {@link VitalsHistogram#forPage page scale}, 62 for a duration and 64 for CLS:
     * 6 × 69 + 71 = 485. That is below Redis's default {@code hash-max-listpack-entries} (512), so a
     * full hash stays one compact listpack of about 7 KB (MEMORY USAGE, Redis 6.2 and 7.0; 25 KB as
     * a hash table, should that setting be lowered), where the fine histograms took up to 8,129
     * fields and 575 KB. Evicting a page (the script's {@code release})
     * moves at most this many fields to {@code (other)}.
     */
    public static final int MAX_PAGE_FIELDS = 485;

    private final AggregatorProperties properties;
    private final JsonMapper json = JsonMapper.builder().build();

    public EventCounts(AggregatorProperties properties) {
        this.properties = properties;
    }

    public List<MetricUpdate> of(EventRecord record) {
        List<MetricUpdate> updates = new ArrayList<>();
        Optional<ErrorGroup> group = ErrorFingerprints.of(record.type(), record.event());
        Optional<String> sample = group.map(found -> json.writeValueAsString(new ErrorSample(found.title(), record.type(), record.eventId())));
        addBucket(updates, record, group, sample, Resolution.MINUTE, properties.minuteBucketRetention());
        addBucket(updates, record, group, sample, Resolution.HOUR, properties.hourBucketRetention());
        addBucket(updates, record, group, sample, Resolution.DAY, properties.dayBucketRetention());
        // Minus the day, as the record keeps it; the script records the first one only (Operation.FIRST_DAY).
        updates.add(new MetricUpdate(Operation.FIRST_DAY, MetricKeys.dayBuckets(record.apikey()), MetricKeys.FIRST_DAY,
                String.valueOf(-Resolution.DAY.bucketOf(record.receivedAt())), properties.dayBucketRetention().toSeconds()));
        return updates;
    }

    /** What a top-error list shows of a group besides its count. */
    public record ErrorSample(String title, String type, String sampleEventId) {
    }

    /** The bucket's updates, each knowing its bucket, so that it expires at the bucket's end plus the retention ({@link MetricUpdate}). */
    private void addBucket(List<MetricUpdate> updates, EventRecord record, Optional<ErrorGroup> group, Optional<String> sample,
                           Resolution resolution, Duration retention) {
        List<MetricUpdate> ofBucket = new ArrayList<>();
        addBucketUpdates(ofBucket, record, group, sample, resolution, retention);
        MetricKeys.Bucket bucket = new MetricKeys.Bucket(resolution, resolution.bucketOf(record.receivedAt()));
        ofBucket.forEach(update -> updates.add(update.of(bucket)));
    }

    private void addBucketUpdates(List<MetricUpdate> updates, EventRecord record, Optional<ErrorGroup> group, Optional<String> sample,
                                  Resolution resolution, Duration retention) {
        long bucket = resolution.bucketOf(record.receivedAt());
        long ttl = retention.toSeconds();
        String counters = MetricKeys.counters(record.apikey(), resolution, bucket);
        updates.add(MetricUpdate.increment(counters, "events", ttl));
        updates.add(MetricUpdate.increment(counters, "type:" + record.type(), ttl));
        updates.add(MetricUpdate.increment(counters, "status:" + statusOf(record), ttl));
        if (record.family().reportsErrors()) {
            updates.add(MetricUpdate.increment(counters, "errors", ttl));
        }
        if (record.type().equals("whiteScreen") && statusOf(record).equals("error")) {
            updates.add(MetricUpdate.increment(counters, "whiteScreen:blank", ttl));
        }
        updates.add(new MetricUpdate(Operation.PFADD, MetricKeys.sessions(record.apikey(), resolution, bucket),
                record.sessionId(), "", ttl));
        // Samples live in the bucket beside the counts, so that they age out with them.
        group.ifPresent(found -> {
            updates.add(new MetricUpdate(Operation.ZINCRBY, MetricKeys.errorGroups(record.apikey(), resolution, bucket),
                    found.fingerprint(), "1", ttl));
            updates.add(new MetricUpdate(Operation.SAMPLE, MetricKeys.errorSamples(record.apikey(), resolution, bucket),
                    found.fingerprint(), sample.orElseThrow(), ttl));
        });
        addVital(updates, record, resolution, bucket, counters, ttl);
        addPageCosts(updates, record, resolution, bucket, counters, ttl);
    }

    /** Long tasks, resource load durations and failing requests: what makes pages slow or broken. */
    private void addPageCosts(List<MetricUpdate> updates, EventRecord record, Resolution resolution, long bucket,
                              String counters, long ttl) {
        JsonNode event = record.event();
        if (record.family().name().equals("http")) {
            String method = event.path("requestData").path("method").asString("GET").toUpperCase(java.util.Locale.ROOT);
            String request = BoundedText.of(method + " " + UrlPaths.path(event.path("url").asString("")));
            updates.add(new MetricUpdate(Operation.ZINCRBY, MetricKeys.httpFailures(record.apikey(), resolution, bucket), request, "1", ttl));
        }
        String metric = event.path("name").asString("");
        if (metric.equals("longTask")) {
            OptionalDouble duration = EventNumbers.of(event.path("longTask").get("duration"));
            if (duration.isPresent() && duration.getAsDouble() >= 0 && duration.getAsDouble() <= LONGEST_PLAUSIBLE_MS) {
                updates.add(MetricUpdate.increment(counters, "longTask:count", ttl));
                updates.add(new MetricUpdate(Operation.HINCRBY, counters, "longTask:totalMs",
                        String.valueOf(Math.round(duration.getAsDouble())), ttl));
            }
        }
        if (metric.equals("memory")) {
            OptionalDouble used = EventNumbers.of(event.path("memory").get("usedJSHeapSize"));
            if (used.isEmpty() || used.getAsDouble() < 0 || used.getAsDouble() > LARGEST_PLAUSIBLE_HEAP_BYTES) {
                updates.add(MetricUpdate.increment(counters, "memory:invalid", ttl));
            } else {
                String bytes = String.valueOf(Math.round(used.getAsDouble()));
                updates.add(MetricUpdate.increment(counters, "memory:samples", ttl));
                String memory = MetricKeys.memory(record.apikey(), resolution, bucket);
                updates.add(new MetricUpdate(Operation.HMAX, memory, MetricKeys.MAX_USED_HEAP, bytes, ttl));
                updates.add(new MetricUpdate(Operation.HLATEST, memory, MetricKeys.LAST_USED_HEAP,
                        record.receivedAt().toEpochMilli() + " " + bytes, ttl));
            }
        }
        if (metric.equals("resourceList") && event.path("resourceList").isArray()) {
            Map<String, Long> histogram = new TreeMap<>();
            event.path("resourceList").forEach(entry -> EventNumbers.of(entry.get("duration"))
                    .ifPresent(duration -> {
                        if (duration >= 0 && duration <= LONGEST_PLAUSIBLE_MS) {
                            histogram.merge(VitalsHistogram.FINE.bucketOf(duration), 1L, Long::sum);
                        }
                    }));
            String key = MetricKeys.resourceDurations(record.apikey(), resolution, bucket);
            String coarse = MetricKeys.coarseHistograms(record.apikey(), resolution, bucket);
            histogram.forEach((field, count) -> {
                updates.add(new MetricUpdate(Operation.HINCRBY, key, field, String.valueOf(count), ttl));
                updates.add(new MetricUpdate(Operation.HINCRBY, coarse,
                        MetricKeys.coarseHistogramField(MetricKeys.RESOURCES, VitalsHistogram.coarseOf(field)), String.valueOf(count), ttl));
            });
        }
    }

    /**
     * A web vital goes into the project's histogram ({@link VitalsHistogram#FINE}), its coarse
     * bucket ({@link MetricKeys#coarseHistograms}) and rating counts, and the same again in its page's hash, the histogram there on the coarse
     * {@link VitalsHistogram#forPage page scale} ({@link #pageHistogramField}), so a window's
     * percentiles can be read for the whole project or for one page.
     */
    private void addVital(List<MetricUpdate> updates, EventRecord record, Resolution resolution, long bucket,
                          String counters, long ttl) {
        String metric = record.event().path("name").asString("");
        var threshold = VitalThresholds.of(metric);
        if (!record.type().equals("performance") || !PerformanceEvents.VITALS.contains(metric) || threshold.isEmpty()) {
            return;
        }
        String pageUrl = record.event().path("pageUrl").asString("");
        String pagePrefix = MetricKeys.pageVitalsPrefix(record.apikey(), resolution, bucket);
        String page = pageUrl.isEmpty() ? null : UrlPaths.page(pageUrl);
        java.util.function.Consumer<String> countField = field -> {
            updates.add(MetricUpdate.increment(counters, field, ttl));
            if (page != null) {
                updates.add(new MetricUpdate(Operation.PAGE_HINCRBY, pagePrefix, field, page, ttl));
            }
        };
        OptionalDouble value = EventNumbers.of(record.event().get("value"));
        if (value.isEmpty() || !threshold.get().isPlausible(value.getAsDouble())) {
            countField.accept("vital:" + metric + ":invalid");
            return;
        }
        String fine = VitalsHistogram.FINE.bucketOf(value.getAsDouble());
        updates.add(MetricUpdate.increment(MetricKeys.vitalHistogram(record.apikey(), resolution, bucket, metric), fine, ttl));
        updates.add(MetricUpdate.increment(MetricKeys.coarseHistograms(record.apikey(), resolution, bucket),
                MetricKeys.coarseHistogramField(metric, VitalsHistogram.coarseOf(fine)), ttl));
        if (page != null) {
            updates.add(new MetricUpdate(Operation.PAGE_HINCRBY, pagePrefix,
                    pageHistogramField(metric, VitalsHistogram.forPage(metric).bucketOf(value.getAsDouble())), page, ttl));
        }
        countField.accept("vital:" + metric + ":" + threshold.get().rate(value.getAsDouble()).label());
        String sdkRating = record.event().path("rating").asString("");
        if (SDK_RATINGS.contains(sdkRating)) {
            countField.accept("vital:" + metric + ":sdk:" + sdkRating);
        }
    }

    /**
     * The field of a page's hash that counts one bucket of one vital's histogram on its
     * {@link VitalsHistogram#forPage page scale}, such as {@code LCP:32}. The previous version
     * wrote fine buckets there as {@code vital:<metric>:h:<bucket>}: read on the coarse scale, fine
     * bucket 359 (about 1.2 s) would stand for 1.25^359 ms, so the coarse ones need names of their
     * own, which no fine one can be mistaken for; the fine ones are no longer read and age out with
     * their buckets. Short, because a page hash holds hundreds of them, each name stored in full
     * in the listpack.
     */
    public static String pageHistogramField(String metric, String histogramBucket) {
        return metric + ":" + histogramBucket;
    }

    // Only known statuses become field names, which bounds the hash whatever clients send.
    private static String statusOf(EventRecord record) {
        var status = record.event().get("status");
        return status != null && status.isString() && STATUSES.contains(status.stringValue()) ? status.stringValue() : "other";
    }
}
