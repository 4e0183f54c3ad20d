package dev.trackpipeline.aggregator.metrics;

import dev.trackpipeline.aggregator.AggregatorProperties;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;
import redis.clients.jedis.JedisPooled;

/**
 * Applies a partition's batch to Redis in one Lua script, together with that partition's last
 * applied offset. Because both change in one atomic step, a batch Kafka delivers again (after a
 * crash before the offset commit, or a replay) is recognised and not counted twice.
 */
@Component
public class RedisMetricsStore {

    private final JedisPooled redis;
    private final AggregatorProperties properties;
    private final String script;

    public RedisMetricsStore(JedisPooled redis, AggregatorProperties properties) {
        this.redis = redis;
        this.properties = properties;
        this.script = load("/redis/apply-batch.lua");
    }

    /** The updates of one Kafka record. */
    public record RecordUpdates(long offset, String apikey, String eventId, List<MetricUpdate> updates) {
    }

    /** @return how many records were applied; the others had been applied before */
    public long apply(String topic, int partition, List<RecordUpdates> records) {
        List<String> args = new ArrayList<>();
        args.add(topic + ":" + partition);
        args.add(String.valueOf(properties.dedupWindow().toSeconds()));
        for (RecordUpdates record : records) {
            args.add(String.valueOf(record.offset()));
            args.add(MetricKeys.seen(record.apikey(), record.eventId()));
            args.add(String.valueOf(record.updates().size()));
            for (MetricUpdate update : record.updates()) {
                args.add(update.operation().name());
                args.add(update.key());
                args.add(update.field());
                args.add(update.argument());
                args.add(String.valueOf(update.ttlSeconds()));
            }
        }
        Object applied = redis.eval(script, List.of(MetricKeys.progress(properties.groupId())), args);
        return ((Number) applied).longValue();
    }

    private static String load(String resource) {
        try (InputStream in = RedisMetricsStore.class.getResourceAsStream(resource)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
