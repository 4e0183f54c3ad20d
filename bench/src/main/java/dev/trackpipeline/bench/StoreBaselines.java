package dev.trackpipeline.bench;

import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
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
import org.bson.RawBsonDocument;
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

    /** A baseline's rate, and the CPU it took per event (no service runs: all of it is the infrastructure's). */
    record Measured(double eventsPerSecond, CpuTime.PerEvent cpu) {

        static Measured since(long startNanos, CpuTime startCpu, long events) {
            return new Measured(events / ((System.nanoTime() - startNanos) / 1e9), CpuTime.now().since(startCpu).perEvent(events));
        }
    }

    /**
     * Inserts {@code warmUp} documents unmeasured first (the events' documents under other ids),
     * as the writer drains its warm-up events into the database it is measured on: both are
     * measured on a store that already holds as many documents, and after the store's code is
     * compiled. The stand-in keeps documents on the heap it shares with the broker, and how full
     * that heap is changes what an insert costs. The documents are the writer's own, encoded
     * before the clock starts: what is measured is the driver and the store alone.
     */
    static Measured insertMany(String mongoUri, String database, List<EventRecord> events, int warmUp) {
        try (var client = MongoClients.create(mongoUri)) {
            var store = client.getDatabase(database);
            for (int inserted = 0, copy = 0; inserted < warmUp; copy++) {
                String suffix = "-warm-up-" + copy;
                List<EventRecord> round = events.subList(0, Math.min(events.size(), warmUp - inserted)).stream()
                        .map(event -> new EventRecord(event.eventId() + suffix, event.receivedAt(), event.apikey(), event.type(),
                                event.family(), event.sessionId(), event.event()))
                        .toList();
                documentsInBatches(round).forEach(byFamily -> insertEach(store, byFamily));
                inserted += round.size();
            }
            List<Map<EventFamily, List<RawBsonDocument>>> batches = documentsInBatches(events);
            CpuTime cpu = CpuTime.now();
            long start = System.nanoTime();
            batches.forEach(byFamily -> insertEach(store, byFamily));
            return Measured.since(start, cpu, events.size());
        }
    }

    /** The writer's documents of each poll-sized batch, by family, as the writer inserts them. */
    private static List<Map<EventFamily, List<RawBsonDocument>>> documentsInBatches(List<EventRecord> events) {
        return partition(events).stream()
                .map(batch -> (Map<EventFamily, List<RawBsonDocument>>) batch.stream().collect(Collectors.groupingBy(EventRecord::family,
                        LinkedHashMap::new, Collectors.mapping(EventDocuments::toBson, Collectors.toList()))))
                .toList();
    }

    private static void insertEach(MongoDatabase store, Map<EventFamily, List<RawBsonDocument>> byFamily) {
        byFamily.forEach((family, documents) -> store.getCollection(family.name(), RawBsonDocument.class)
                .insertMany(documents, new InsertManyOptions().ordered(false)));
    }

    static Measured pipelinedRedis(RedisAddress redis, int database, List<EventRecord> events) {
        EventCounts counts = new EventCounts(new AggregatorProperties("bench", null, Duration.ofHours(1), Duration.ofHours(48),
                Duration.ofDays(30), 500, 500, 10_000));
        List<List<List<MetricUpdate>>> batches = partition(events).stream()
                .map(batch -> batch.stream().map(counts::of).toList()).toList();
        var config = DefaultJedisClientConfig.builder().database(database).password(redis.password().orElse(null)).build();
        try (var jedis = new JedisPooled(new HostAndPort(redis.host(), redis.port()), config)) {
            CpuTime cpu = CpuTime.now();
            long start = System.nanoTime();
            for (List<List<MetricUpdate>> batch : batches) {
                try (var pipeline = jedis.pipelined()) {
                    for (List<MetricUpdate> updates : batch) {
                        for (MetricUpdate update : updates) {
                            switch (update.operation()) {
                                case HINCRBY -> pipeline.hincrBy(update.key(), update.field(), Long.parseLong(update.argument()));
                                case ZINCRBY -> pipeline.zincrby(update.key(), Double.parseDouble(update.argument()), update.field());
                                case SAMPLE -> pipeline.hsetnx(update.key(), update.field(), update.argument());
                                case HMAX, HLATEST -> pipeline.hset(update.key(), update.field(), update.argument());
                                case FIRST_DAY -> pipeline.hsetnx(update.key(), update.field(), update.argument());
                                case PAGE_HINCRBY -> pipeline.hincrBy(update.key() + update.argument(), update.field(), 1);
                                case PFADD -> pipeline.pfadd(update.key(), update.field());
                            }
                            pipeline.expire(update.key(), update.ttlSeconds());
                        }
                    }
                    pipeline.sync();
                }
            }
            return Measured.since(start, cpu, events.size());
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
