package dev.trackpipeline.bench;

import com.mongodb.client.MongoClients;
import com.mongodb.client.model.InsertManyOptions;
import dev.trackpipeline.aggregator.AggregatorProperties;
import dev.trackpipeline.aggregator.metrics.EventCounts;
import dev.trackpipeline.aggregator.metrics.MetricUpdate;
import dev.trackpipeline.infra.RedisAddress;
import dev.trackpipeline.model.event.EventFamily;
import dev.trackpipeline.model.kafka.EventRecord;
import dev.trackpipeline.writer.store.EventDocuments;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.bson.Document;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisPooled;

/**
 * The best each store can do with the same work, on the same server, with nothing of ours in
 * between: the writer's documents inserted with raw unordered {@code insertMany}, and the
 * aggregator's updates sent as raw pipelined Redis commands. Documents and updates are made
 * before the clock starts, by the services' own classes.
 */
final class StoreBaselines {

    /** The consumers' poll size: the baselines write in batches of the same size. */
    static final int BATCH = 500;

    private StoreBaselines() {
    }

    /** @return documents per second */
    static double insertMany(String mongoUri, String database, List<EventRecord> events) {
        List<Map<EventFamily, List<Document>>> batches = partition(events).stream()
                .map(batch -> (Map<EventFamily, List<Document>>) batch.stream().collect(Collectors.groupingBy(EventRecord::family, LinkedHashMap::new,
                        Collectors.mapping(EventDocuments::toDocument, Collectors.toList()))))
                .toList();
        try (var client = MongoClients.create(mongoUri)) {
            var store = client.getDatabase(database);
            long start = System.nanoTime();
            for (Map<EventFamily, List<Document>> byFamily : batches) {
                byFamily.forEach((family, documents) ->
                        store.getCollection(family.name()).insertMany(documents, new InsertManyOptions().ordered(false)));
            }
            return events.size() / ((System.nanoTime() - start) / 1e9);
        }
    }

    /** @return events per second */
    static double pipelinedRedis(RedisAddress redis, int database, List<EventRecord> events) {
        EventCounts counts = new EventCounts(new AggregatorProperties("bench", null, Duration.ofHours(1), Duration.ofHours(48),
                Duration.ofDays(30), 500));
        List<List<List<MetricUpdate>>> batches = partition(events).stream()
                .map(batch -> batch.stream().map(counts::of).toList()).toList();
        var config = DefaultJedisClientConfig.builder().database(database).password(redis.password().orElse(null)).build();
        try (var jedis = new JedisPooled(new HostAndPort(redis.host(), redis.port()), config)) {
            long start = System.nanoTime();
            for (List<List<MetricUpdate>> batch : batches) {
                try (var pipeline = jedis.pipelined()) {
                    for (List<MetricUpdate> updates : batch) {
                        for (MetricUpdate update : updates) {
                            switch (update.operation()) {
                                case HINCRBY -> pipeline.hincrBy(update.key(), update.field(), Long.parseLong(update.argument()));
                                case ZINCRBY -> pipeline.zincrby(update.key(), Double.parseDouble(update.argument()), update.field());
                                case HSETNX -> pipeline.hsetnx(update.key(), update.field(), update.argument());
                                case HMAX, HLATEST -> pipeline.hset(update.key(), update.field(), update.argument());
                                case PAGE_HINCRBY -> pipeline.hincrBy(update.key() + update.argument(), update.field(), 1);
                                case PFADD -> pipeline.pfadd(update.key(), update.field());
                            }
                            pipeline.expire(update.key(), update.ttlSeconds());
                        }
                    }
                    pipeline.sync();
                }
            }
            return events.size() / ((System.nanoTime() - start) / 1e9);
        }
    }

    private static <T> List<List<T>> partition(List<T> items) {
        List<List<T>> batches = new java.util.ArrayList<>();
        for (int i = 0; i < items.size(); i += BATCH) {
            batches.add(items.subList(i, Math.min(items.size(), i + BATCH)));
        }
        return batches;
    }
}
