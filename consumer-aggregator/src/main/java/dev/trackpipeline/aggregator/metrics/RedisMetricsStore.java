package dev.trackpipeline.aggregator.metrics;

import dev.trackpipeline.aggregator.AggregatorProperties;
import dev.trackpipeline.model.metrics.TrackMeters;
import dev.trackpipeline.model.project.Project;
import dev.trackpipeline.runtime.ProjectCatalog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Applies a polled batch to Redis, one Lua script per partition and project, each together with
 * that project's last applied offset of the partition. Because updates and marker change in one
 * atomic step, a batch Kafka delivers again (after a crash before the offset commit, or a replay)
 * is recognised and not counted twice, even if the crash fell between two projects' scripts.
 * Every key a script touches carries the project's hash tag, so this works on Redis Cluster too,
 * and the script declares them ({@link ScriptKeys}), so it waits while resharding moves the project.
 *
 * <p>The records' updates are merged here ({@link MergedUpdates}) and the script applies them
 * only if none of the records was applied before. When some were (a redelivery, a client's
 * re-send), the script writes nothing and names them; the others are merged again and sent once
 * more. Fresh batches, the usual case, take one call.
 *
 * <p>A client's re-send is recognised by its event id in the project's {@link DedupRing}, which
 * has room for a fixed number of ids; the events counted without room to remember their ids are
 * counted in {@link TrackMeters#AGGREGATOR_DEDUP_UNREMEMBERED} and logged, at most once a minute.
 */
@Component
public class RedisMetricsStore {

    /** Events counted whose ids the dedup ring had no room for: a re-send of them would count again. */

    private static final Logger log = LoggerFactory.getLogger(RedisMetricsStore.class);
    private static final Duration LOG_UNREMEMBERED_EVERY = Duration.ofMinutes(1);

    private final RedisConnections redis;
    private final AggregatorProperties properties;
    private final DedupRing ring;
    private final Clock clock;
    private final Optional<Clock> bucketClock;
    private final ToIntFunction<String> eventsPerSecond;
    private final Counter unremembered;
    private final String script;
    private final AtomicReference<Instant> lastUnrememberedLog = new AtomicReference<>(Instant.MIN);
    private final AtomicReference<Instant> lastRedeliveredLog = new AtomicReference<>(Instant.MIN);

    /**
     * Each project's dedup room fits its rate limit in the registry (the configured room at least),
     * and Redis's own clock decides when buckets expire.
     */
    @Autowired
    public RedisMetricsStore(RedisConnections redis, AggregatorProperties properties, MeterRegistry meters, ProjectCatalog projects) {
        this(redis, properties, meters, Clock.systemUTC(), apikey -> projects.current().find(apikey)
                .map(Project::rateLimit).orElse(Project.RateLimit.DEFAULT).eventsPerSecond(), Optional.empty());
    }

    /**
     * For tests replaying set times: {@code clock} chooses the dedup ring's slice and stands for
     * Redis's clock in deciding when buckets expire; every project gets the configured dedup room.
     */
    public RedisMetricsStore(JedisPooled redis, AggregatorProperties properties, MeterRegistry meters, Clock clock) {
        this(RedisConnections.of(redis), properties, meters, clock, apikey -> 0, Optional.of(clock));
    }

    /**
     * @param clock           the time that chooses the dedup ring's slice
     * @param eventsPerSecond a project's rate limit, which sizes its dedup room
     * @param bucketClock     what stands for Redis's clock in deciding when buckets expire (tests
     *                        replaying set times); empty for Redis's own ({@code TIME} in the
     *                        script), the same for every aggregator whatever its clock says: one
     *                        whose clock ran ahead would otherwise take a bucket the others are
     *                        still filling for past its retention
     */
    public RedisMetricsStore(JedisPooled redis, AggregatorProperties properties, MeterRegistry meters, Clock clock,
                             ToIntFunction<String> eventsPerSecond, Optional<Clock> bucketClock) {
        this(RedisConnections.of(redis), properties, meters, clock, eventsPerSecond, bucketClock);
    }

    public RedisMetricsStore(RedisConnections redis, AggregatorProperties properties, MeterRegistry meters, Clock clock,
                             ToIntFunction<String> eventsPerSecond, Optional<Clock> bucketClock) {
        this.eventsPerSecond = eventsPerSecond;
        this.redis = redis;
        this.properties = properties;
        this.ring = new DedupRing(properties.dedupWindow(), properties.dedupIdsPerSlice());
        this.clock = clock;
        this.bucketClock = bucketClock;
        this.unremembered = Counter.builder(TrackMeters.AGGREGATOR_DEDUP_UNREMEMBERED)
                .description("Events counted whose ids the dedup ring had no room to remember: a re-send of them would count again")
                .register(meters);
        this.script = RedisScripts.load("/redis/apply-batch.lua");
    }

    /** The updates of one Kafka record. */
    public record RecordUpdates(long offset, String apikey, String eventId, List<MetricUpdate> updates) {
    }

    /** One partition's records of a polled batch. */
    public record PartitionUpdates(String topic, int partition, List<RecordUpdates> records) {
    }

    /**
     * Where a partition's log ends (the offset its next record takes) as the consumer last saw it
     * from the partition's leader; empty when it has not.
     */
    @FunctionalInterface
    public interface LogEnds {

        LogEnds UNKNOWN = (topic, partition) -> OptionalLong.empty();

        OptionalLong endOf(String topic, int partition);
    }

    /**
     * What became of one partition's records.
     *
     * @param applied     counted now
     * @param redelivered at or below the progress marker: counted before (a redelivery after a
     *                    rebalance, a restart or a retried batch)
     */
    public record Applied(long applied, long redelivered) {
    }

    /**
     * One project's records of one partition's batch, the highest offset among them, which its
     * marker moves to, and the highest of the whole partition batch's, which the marker's reach does.
     */
    private record ProjectBatch(int partitionIndex, PartitionUpdates partition, long partitionEnd, String apikey, long highestOffset,
                                List<RecordUpdates> records, String resetMarker) {

        /** To set aside the marker at {@code marker}, if it is still there when the script runs. */
        ProjectBatch resetting(long marker) {
            return new ProjectBatch(partitionIndex, partition, partitionEnd, apikey, highestOffset, records, "reset:" + marker);
        }

        String partitionField() {
            return partition.topic() + ":" + partition.partition();
        }

        boolean reset() {
            return !resetMarker.isEmpty();
        }
    }

    /**
     * Applies a polled batch's partitions in one pipeline: a round trip per poll, not per
     * partition, which matters when a poll holds a few records of each of many partitions.
     *
     * @return per partition, in order, how many records were applied; the others had been applied before
     */
    public List<Long> apply(List<PartitionUpdates> partitions) {
        return applyCounting(partitions, LogEnds.UNKNOWN).stream().map(Applied::applied).toList();
    }

    /**
     * As {@link #apply}, telling apart the records skipped as counted before (at or below their
     * marker) from those skipped as a client's re-send (in the dedup ring): the rest.
     *
     * <p>A marker is not of its partition's log when its reach (the highest offset of the
     * partition's batches it was written in, always below the end of its own log) is at or beyond
     * that log's end: its topic was deleted and made again, offsets starting over. When a batch
     * holds records at or below a marker and the dedup ring remembers none of them (it remembers a
     * redelivery of the live log within its window), {@code logEnds} says where the log ends (once
     * a partition and call), and such a marker is set aside for the batch's records, if still in
     * place. Setting aside a marker of the live log would take both a log end seen too low (a new
     * leader's, for a moment) and a redelivery older than the ring's window or beyond its room.
     */
    public List<Applied> applyCounting(List<PartitionUpdates> partitions, LogEnds logEnds) {
        Map<String, OptionalLong> ends = new HashMap<>();
        long[] applied = new long[partitions.size()];
        long[] redelivered = new long[partitions.size()];
        List<ProjectBatch> pending = new ArrayList<>();
        for (int index = 0; index < partitions.size(); index++) {
            pending.addAll(byProject(index, partitions.get(index)));
        }
        while (!pending.isEmpty()) {
            List<Object> answers = sendToTheirNodes(pending);
            List<ProjectBatch> again = new ArrayList<>();
            for (int index = 0; index < answers.size(); index++) {
                List<?> answer = (List<?>) answers.get(index);
                ProjectBatch batch = pending.get(index);
                if (answer.get(0).equals("seen")) {
                    long marker = ((Number) answer.get(1)).longValue();
                    long reach = ((Number) answer.get(2)).longValue();
                    long passedAndRemembered = ((Number) answer.get(3)).longValue();
                    List<?> positions = answer.subList(4, answer.size());
                    long passed = atOrBelow(batch, positions, marker);
                    if (passed > 0 && passedAndRemembered == 0 && !batch.reset()
                            && beyondTheLog(batch.partition(), reach, logEnds, ends)) {
                        again.add(batch.resetting(marker));
                    } else {
                        redelivered[batch.partitionIndex()] += passed;
                        again.add(without(batch, positions));
                    }
                } else {
                    applied[batch.partitionIndex()] += ((Number) answer.get(1)).longValue();
                    countUnremembered(batch.apikey(), ((Number) answer.get(2)).longValue());
                    logSetAside(batch, answer.get(3));
                }
            }
            pending = again;
        }
        List<Applied> outcomes = new ArrayList<>(partitions.size());
        for (int index = 0; index < partitions.size(); index++) {
            outcomes.add(new Applied(applied[index], redelivered[index]));
        }
        logRedelivered(partitions, redelivered);
        return outcomes;
    }

    /**
     * Each project's script to the node that serves the project, a pipeline per node, and after a
     * node's scripts, when replicas must hold the writes, one {@code WAIT} on the connection that
     * wrote them. Every script that answers 'applied' writes (its marker's expiry at least), so
     * that {@code WAIT} also covers what an earlier try of the batch wrote on the node: a retry
     * after a shortfall waits for it again.
     *
     * @return the scripts' answers, in the order of {@code pending}
     * @throws ReplicasBehindException a node's replicas did not all acknowledge in time
     */
    private List<Object> sendToTheirNodes(List<ProjectBatch> pending) {
        KeyRouting routing = redis.routing();
        Object[] answers = new Object[pending.size()];
        List<String> behind = new ArrayList<>();
        try {
            Map<HostAndPort, List<Integer>> byNode = new LinkedHashMap<>();
            for (int index = 0; index < pending.size(); index++) {
                byNode.computeIfAbsent(routing.nodeOf(progressKey(pending.get(index))), node -> new ArrayList<>()).add(index);
            }
            for (Map.Entry<HostAndPort, List<Integer>> node : byNode.entrySet()) {
                List<ProjectBatch> batches = node.getValue().stream().map(pending::get).toList();
                NodeAnswers answered = sendTo(routing, node.getKey(), batches);
                for (int reply = 0; reply < batches.size(); reply++) {
                    answers[node.getValue().get(reply)] = answered.scripts().get(reply);
                }
                answered.shortfall().ifPresent(behind::add);
            }
        } catch (JedisException failure) {
            KeyRouting.renewAfter(routing, failure);
            throw failure;
        }
        if (!behind.isEmpty()) {
            throw new ReplicasBehindException("Writes to Redis " + String.join(", ", behind) + " reached fewer replicas than "
                    + "track.aggregator.redis.replicas-to-acknowledge (REDIS_WAIT_REPLICAS) asks within "
                    + properties.redis().replicasWithin().toMillis() + " ms: the batch is applied again once they answer");
        }
        return Arrays.asList(answers);
    }

    /** One node's scripts' answers, and how far its replicas fell short of holding what they wrote, if they did. */
    private record NodeAnswers(List<List<?>> scripts, Optional<String> shortfall) {
    }

    private NodeAnswers sendTo(KeyRouting routing, HostAndPort node, List<ProjectBatch> batches) {
        int replicas = properties.redis().replicasToAcknowledge();
        List<Response<Object>> replies = new ArrayList<>();
        Response<Long> acknowledged = null;
        try (Connection connection = routing.connectionTo(node); Pipeline pipeline = new Pipeline(connection)) {
            for (ProjectBatch batch : batches) {
                ScriptKeys keys = new ScriptKeys(batch.apikey(), properties.groupId(), ring.slots());
                List<String> arguments = arguments(batch, keys);
                replies.add(pipeline.eval(script, keys.keys(), arguments));
            }
            if (replicas > 0) {
                acknowledged = pipeline.waitReplicas(progressKey(batches.get(0)), replicas, properties.redis().replicasWithin().toMillis());
            }
            pipeline.sync();
        }
        List<List<?>> scripts = new ArrayList<>();
        for (Response<Object> reply : replies) {
            scripts.add((List<?>) reply.get());
        }
        boolean wrote = scripts.stream().anyMatch(answer -> answer.get(0).equals("applied"));
        if (acknowledged == null || !wrote) {
            return new NodeAnswers(scripts, Optional.empty());
        }
        long held;
        try {
            held = acknowledged.get();
        } catch (JedisDataException demoted) {
            // a master demoted between the scripts and the WAIT ("WAIT cannot be used with replica instances"):
            // the next try goes to the master that took its place
            KeyRouting.renewAfter(routing, demoted);
            return new NodeAnswers(scripts, Optional.of(node + " (" + demoted.getMessage() + ")"));
        }
        return new NodeAnswers(scripts, held < replicas ? Optional.of(node + " (" + held + " of " + replicas + ")") : Optional.empty());
    }

    private String progressKey(ProjectBatch batch) {
        return MetricKeys.progress(batch.apikey(), properties.groupId());
    }

    /** Whether the partition's log ends at or before the marker's reach, asking once a partition and call. */
    private static boolean beyondTheLog(PartitionUpdates partition, long reach, LogEnds logEnds, Map<String, OptionalLong> ends) {
        OptionalLong end = ends.computeIfAbsent(partition.topic() + ":" + partition.partition(),
                key -> logEnds.endOf(partition.topic(), partition.partition()));
        return end.isPresent() && reach >= end.getAsLong();
    }

    /** How many of the records at these positions (from 1) the marker had passed. */
    private static long atOrBelow(ProjectBatch batch, List<?> positions, long marker) {
        return positions.stream().filter(position -> batch.records().get(((Number) position).intValue() - 1).offset() <= marker).count();
    }

    private void logSetAside(ProjectBatch batch, Object setAside) {
        String marker = setAside instanceof byte[] bytes ? new String(bytes, java.nio.charset.StandardCharsets.UTF_8) : String.valueOf(setAside);
        if (setAside != null && !marker.isEmpty()) {
            log.warn("{}:{}: project {}'s progress marker ({}) was written in batches reaching at or beyond the end of the partition's "
                    + "log, so it is not of this log: the topic was deleted and made again (its offsets start over); the partition's "
                    + "records count from the first", batch.partition().topic(), batch.partition().partition(), batch.apikey(), marker);
        }
    }

    /**
     * Said, not silent: a redelivery is ordinary after a rebalance or a restart, but a marker ahead of
     * its topic for another reason would show here first. At most once a minute.
     */
    private void logRedelivered(List<PartitionUpdates> partitions, long[] redelivered) {
        List<String> where = new ArrayList<>();
        long records = 0;
        for (int index = 0; index < partitions.size(); index++) {
            if (redelivered[index] > 0) {
                records += redelivered[index];
                where.add(partitions.get(index).topic() + ":" + partitions.get(index).partition());
            }
        }
        if (records == 0) {
            return;
        }
        Instant now = clock.instant();
        Instant last = lastRedeliveredLog.get();
        if (now.isAfter(last.plus(LOG_UNREMEMBERED_EVERY)) && lastRedeliveredLog.compareAndSet(last, now)) {
            log.info("{} records of {} at or below their progress marker were counted before (redelivered after a rebalance, a "
                    + "restart or a retried batch) and not counted again. Logged at most once a minute; {} with outcome=redelivered "
                    + "counts them all.", records, String.join(", ", where), TrackMeters.CONSUME_EVENTS);
        }
    }

    /**
     * Groups the records by project, keeping only the first of records with the same event id: a
     * client's re-send within one batch is a duplicate the script could not tell from its original.
     */
    private static List<ProjectBatch> byProject(int partitionIndex, PartitionUpdates partition) {
        Map<String, List<RecordUpdates>> byProject = new LinkedHashMap<>();
        Map<String, Long> highest = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        long partitionEnd = -1;
        for (RecordUpdates record : partition.records()) {
            partitionEnd = Math.max(partitionEnd, record.offset());
            highest.merge(record.apikey(), record.offset(), Math::max);
            if (seen.add(record.apikey() + "\n" + record.eventId())) {
                byProject.computeIfAbsent(record.apikey(), apikey -> new ArrayList<>()).add(record);
            }
        }
        long end = partitionEnd;
        return highest.entrySet().stream().map(project -> new ProjectBatch(partitionIndex, partition, end, project.getKey(),
                project.getValue(), byProject.get(project.getKey()), "")).toList();
    }

    /** The batch without the records at the script's positions (from 1); may be empty, which just moves the marker. */
    private static ProjectBatch without(ProjectBatch batch, List<?> positions) {
        Set<Integer> skipped = new HashSet<>();
        positions.forEach(position -> skipped.add(((Number) position).intValue() - 1));
        List<RecordUpdates> kept = new ArrayList<>();
        for (int index = 0; index < batch.records().size(); index++) {
            if (!skipped.contains(index)) {
                kept.add(batch.records().get(index));
            }
        }
        return new ProjectBatch(batch.partitionIndex(), batch.partition(), batch.partitionEnd(), batch.apikey(), batch.highestOffset(), kept,
                batch.resetMarker());
    }

    /** The script's arguments, declaring in {@code keys} every key their updates name. */
    private List<String> arguments(ProjectBatch batch, ScriptKeys keys) {
        MergedUpdates merged = new MergedUpdates();
        List<String> args = new ArrayList<>();
        args.add(batch.partitionField());
        args.add(String.valueOf(ring.slots()));
        args.add(String.valueOf(ring.roomFor(eventsPerSecond.applyAsInt(batch.apikey()))));
        args.add(String.valueOf(ring.sliceOf(clock.instant())));
        args.add(String.valueOf(ring.ttlSeconds()));
        args.add(String.valueOf(properties.maxPagesPerProject()));
        args.add(String.valueOf(properties.maxPagesPerMinuteBucket()));
        args.add(MetricKeys.bucketsPrefix(batch.apikey(), MetricKeys.Resolution.MINUTE));
        args.add(String.valueOf(properties.maxGroupsPerBucket()));
        args.add(String.valueOf(properties.longestBucketRetention().toSeconds()));
        args.add(MetricKeys.OTHER);
        args.add(MetricKeys.SAMPLES_SUFFIX);
        args.add(MetricKeys.RANK_SUFFIX);
        args.add(MetricKeys.bucketsPrefix(batch.apikey(), MetricKeys.Resolution.HOUR));
        args.add(MetricKeys.FIRST_DAY);
        args.add(String.valueOf(properties.dayBucketRetention().toMillis()));
        args.add(String.valueOf(properties.maxGroupsPerMinuteBucket()));
        args.add(String.valueOf(batch.highestOffset()));
        args.add(bucketClock.map(fixed -> String.valueOf(fixed.millis())).orElse(""));
        args.add(String.valueOf(batch.partitionEnd()));
        args.add(batch.resetMarker());
        args.add(String.valueOf(batch.records().size()));
        for (RecordUpdates record : batch.records()) {
            args.add(String.valueOf(record.offset()));
            args.add(DedupIds.of(record.eventId()));
            record.updates().forEach(merged::add);
        }
        args.addAll(merged.arguments(keys));
        return args;
    }

    private void countUnremembered(String apikey, long events) {
        if (events == 0) {
            return;
        }
        unremembered.increment(events);
        Instant now = clock.instant();
        Instant last = lastUnrememberedLog.get();
        if (now.isAfter(last.plus(LOG_UNREMEMBERED_EVERY)) && lastUnrememberedLog.compareAndSet(last, now)) {
            log.warn("Project {}: {} events counted whose ids the dedup ring had no room to remember (at most {} per {}-second slice); "
                            + "a client's re-send of them would count again. Logged at most once a minute; {} counts them all.",
                    apikey, events, ring.roomFor(eventsPerSecond.applyAsInt(apikey)), properties.dedupWindow().toSeconds() / DedupRing.SLICES, TrackMeters.AGGREGATOR_DEDUP_UNREMEMBERED);
        }
    }
}
