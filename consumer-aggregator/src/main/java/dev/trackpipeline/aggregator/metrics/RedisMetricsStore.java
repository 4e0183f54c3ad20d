package dev.trackpipeline.aggregator.metrics;

import dev.trackpipeline.aggregator.AggregatorProperties;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.Response;

/**
 * Applies a partition's batch to Redis, one Lua script per project, each together with that
 * project's last applied offset of the partition. Because updates and marker change in one
 * atomic step, a batch Kafka delivers again (after a crash before the offset commit, or a replay)
 * is recognised and not counted twice, even if the crash fell between two projects' scripts.
 * Every key a script touches carries the project's hash tag, so this works on Redis Cluster too.
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
        Map<String, List<RecordUpdates>> byProject = records.stream()
                .collect(Collectors.groupingBy(RecordUpdates::apikey, LinkedHashMap::new, Collectors.toList()));
        List<Response<Object>> applied = new ArrayList<>();
        try (var pipeline = redis.pipelined()) {
            byProject.forEach((apikey, updates) -> applied.add(pipeline.eval(script,
                    List.of(MetricKeys.progress(apikey, properties.groupId())), arguments(topic + ":" + partition, apikey, updates))));
            pipeline.sync();
        }
        return applied.stream().mapToLong(response -> ((Number) response.get()).longValue()).sum();
    }

    private List<String> arguments(String partitionField, String apikey, List<RecordUpdates> records) {
        List<String> args = new ArrayList<>();
        args.add(partitionField);
        args.add(String.valueOf(properties.dedupWindow().toSeconds()));
        args.add(MetricKeys.pages(apikey));
        args.add(String.valueOf(properties.maxPagesPerProject()));
        args.add(String.valueOf(properties.hourBucketRetention().toSeconds()));
        args.add(MetricKeys.OTHER_PAGE);
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
        return args;
    }

    private static String load(String resource) {
        try (InputStream in = RedisMetricsStore.class.getResourceAsStream(resource)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
