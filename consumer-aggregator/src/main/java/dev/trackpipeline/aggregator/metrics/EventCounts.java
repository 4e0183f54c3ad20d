package dev.trackpipeline.aggregator.metrics;

import dev.trackpipeline.aggregator.AggregatorProperties;
import dev.trackpipeline.aggregator.metrics.MetricKeys.Resolution;
import dev.trackpipeline.aggregator.metrics.MetricUpdate.Operation;
import dev.trackpipeline.model.kafka.EventRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * What one event adds to the metrics, in every bucket it falls in. Buckets follow the gateway's
 * received-at, not the browser's clock: skewed clients cannot scatter counts, and a rebuild from
 * the topics lands in the same buckets.
 */
@Component
public class EventCounts {

    /** Families whose events are errors for the error count and error rate. */
    static final Set<String> ERROR_FAMILIES = Set.of("error", "resource", "http");
    private static final Set<String> STATUSES = Set.of("ok", "error");

    private final AggregatorProperties properties;

    public EventCounts(AggregatorProperties properties) {
        this.properties = properties;
    }

    public List<MetricUpdate> of(EventRecord record) {
        List<MetricUpdate> updates = new ArrayList<>();
        addBucket(updates, record, Resolution.MINUTE, properties.minuteBucketRetention());
        addBucket(updates, record, Resolution.HOUR, properties.hourBucketRetention());
        return updates;
    }

    private void addBucket(List<MetricUpdate> updates, EventRecord record, Resolution resolution, Duration retention) {
        long bucket = resolution.bucketOf(record.receivedAt());
        long ttl = retention.toSeconds();
        String counters = MetricKeys.counters(record.apikey(), resolution, bucket);
        updates.add(increment(counters, "events", ttl));
        updates.add(increment(counters, "type:" + record.type(), ttl));
        updates.add(increment(counters, "status:" + statusOf(record), ttl));
        if (ERROR_FAMILIES.contains(record.family().name())) {
            updates.add(increment(counters, "errors", ttl));
        }
        if (record.type().equals("whiteScreen") && statusOf(record).equals("error")) {
            updates.add(increment(counters, "whiteScreen:blank", ttl));
        }
        updates.add(new MetricUpdate(Operation.PFADD, MetricKeys.sessions(record.apikey(), resolution, bucket),
                record.sessionId(), 0, ttl));
    }

    // Only known statuses become field names, which bounds the hash whatever clients send.
    private static String statusOf(EventRecord record) {
        var status = record.event().get("status");
        return status != null && status.isString() && STATUSES.contains(status.stringValue()) ? status.stringValue() : "other";
    }

    private static MetricUpdate increment(String key, String field, long ttl) {
        return new MetricUpdate(Operation.HINCRBY, key, field, 1, ttl);
    }
}
