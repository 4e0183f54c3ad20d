package dev.trackpipeline.aggregator;

import dev.trackpipeline.aggregator.consume.CountingReader;
import dev.trackpipeline.aggregator.metrics.DedupRing;
import dev.trackpipeline.aggregator.metrics.EventCounts;
import dev.trackpipeline.aggregator.metrics.RedisKeys;
import dev.trackpipeline.aggregator.metrics.RedisMetricsStore;
import dev.trackpipeline.aggregator.metrics.RedisMetricsStore.PartitionUpdates;
import dev.trackpipeline.aggregator.metrics.RedisMetricsStore.RecordUpdates;
import dev.trackpipeline.aggregator.query.MetricsReader;
import dev.trackpipeline.aggregator.query.ReadConnections;
import dev.trackpipeline.infra.EmbeddedRedisServer;
import dev.trackpipeline.infra.FreePorts;
import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.model.event.EventValidator;
import dev.trackpipeline.model.fixtures.FixtureRecords;
import dev.trackpipeline.model.fixtures.FixtureRecords.FixtureRecord;
import dev.trackpipeline.model.fixtures.WebSeeFixtures;
import dev.trackpipeline.model.fixtures.WebSeeFixtures.CapturedRequest;
import dev.trackpipeline.model.ingest.IngestLimits;
import dev.trackpipeline.model.kafka.EventRecord;
import dev.trackpipeline.model.kafka.EventRecordReader;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import redis.clients.jedis.JedisPooled;

/**
 * What the junk flood tests share: a Redis of their own, {@link EventCounts} and
 * {@link RedisMetricsStore} over it fed as the listener feeds them (batches of 500), the reader,
 * and the flood: 100,000 junk events ({@link JunkEvents}), each naming a page, an error or a
 * request never seen before, spread evenly over ten minutes of received-at.
 */
final class JunkFlood implements AutoCloseable {

    static final String APIKEY = "demo-project";
    static final int JUNK = 100_000;
    static final int BATCH = 500;
    static final Instant START = Instant.parse("2026-05-04T10:20:00Z");
    static final Duration LENGTH = Duration.ofMinutes(10);
    /** The defaults: 500 pages an hour bucket, 50 a minute bucket, 500 groups a bucket, 10,000 ids per slice of the dedup ring. */
    static final AggregatorProperties PROPERTIES = new AggregatorProperties("junk-test", null, Duration.ofHours(1),
            Duration.ofHours(48), Duration.ofDays(30), 500, 50, 500, 10_000);
    /**
     * Keys of one bucket besides its page hashes: counters, sessions, LCP's histogram and the
     * coarse histograms, and the error groups, failing requests and pages named by client text:
     * the groups, their ranks and samples, the requests and their ranks, the pages' ranks.
     */
    static final int KEYS_PER_BUCKET = 10;
    /**
     * Keys the real data adds of its own to a bucket it is in: the histograms of the vitals besides
     * LCP (CLS, FCP, FID, FSP, TTFB), memory and resource durations.
     */
    static final int REAL_DATA_KEYS_PER_BUCKET = 7;
    /** Keys besides the buckets: the dedup ring's slots and the hash of their slices, the progress marker, the day buckets' first day. */
    static final int KEYS_PER_PROJECT = DedupRing.SLICES + 1 + 1 + 1 + 1;
    /** A page's histograms are on the coarse scale (γ = 1.25): its percentiles are within (γ-1)/(γ+1) = 11.1 %. */
    static final double PAGE_ERROR = 1 / 9.0;
    /** The real SDK's captured events. */
    static final List<CapturedRequest> REAL = WebSeeFixtures.load().posts();

    private static final EventRecordReader RECORDS = CountingReader.of(new EventValidator(new EventFamilies()), IngestLimits.DEFAULTS);

    private final EmbeddedRedisServer server = EmbeddedRedisServer.start(Optional.empty(), "127.0.0.1", FreePorts.one());
    final JedisPooled redis = new JedisPooled(server.host(), server.port());
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ReadConnections reads;
    final MetricsReader reader;
    private final RedisMetricsStore store;
    private final EventCounts counts;
    private final JunkEvents junk = new JunkEvents(APIKEY);
    private final Map<String, Long> offsets = new HashMap<>();
    private final List<EventRecord> pending = new ArrayList<>();
    private int junkSent;

    /** @param now the time of the store's clock, which chooses the dedup ring's slice and stands for Redis's in the buckets' expiry */
    JunkFlood(Instant now) {
        this(now, PROPERTIES);
    }

    /** As {@link #JunkFlood(Instant)}, counting and reading with other properties (its Redis's address aside). */
    JunkFlood(Instant now, AggregatorProperties properties) {
        reads = new ReadConnections(new AggregatorProperties(properties.groupId(),
                new AggregatorProperties.Redis(server.host(), server.port(), null, 0, false), properties.dedupWindow(),
                properties.minuteBucketRetention(), properties.hourBucketRetention(), properties.maxPagesPerProject(),
                properties.maxPagesPerMinuteBucket(), properties.maxGroupsPerBucket(), properties.dedupIdsPerSlice()));
        reader = new MetricsReader(reads, properties);
        counts = new EventCounts(properties);
        store = new RedisMetricsStore(redis, properties, meters, Clock.fixed(now, ZoneOffset.UTC));
        redis.flushAll();
    }

    /**
     * Most keys the caps allow in the buckets written (an hour's and a day's caps are the same; each with as many page hashes as its page
     * cap, plus (other)'s, and the real data's keys) and beside them.
     */
    static long keysTheCapsAllow(int minuteBuckets, int hourBuckets, int dayBuckets) {
        long perBucket = KEYS_PER_BUCKET + REAL_DATA_KEYS_PER_BUCKET + 1L;
        return minuteBuckets * (perBucket + PROPERTIES.maxPagesPerMinuteBucket())
                + (hourBuckets + dayBuckets) * (perBucket + PROPERTIES.maxPagesPerProject()) + KEYS_PER_PROJECT;
    }

    /** Sends the flood's junk events up to (not including) the given one, each at its time in the flood. */
    void sendJunkUpTo(int end) {
        while (junkSent < end) {
            send(read(junk.next(), START.plusMillis(LENGTH.toMillis() * junkSent / JUNK)));
            junkSent++;
        }
    }

    /**
     * The real SDK's captured traffic again and again, every {@code every} from {@code from} to
     * {@code to}, each visit's events new ones (their time, so their ids, differ), all received at
     * the visit's time; {@code beforeVisit} is told each visit's time before it is sent.
     */
    void sendRealTrafficEvery(Duration every, Instant from, Instant to, java.util.function.Consumer<Instant> beforeVisit) {
        int visits = 0;
        for (Instant at = from; !at.isAfter(to); at = at.plus(every), visits++) {
            beforeVisit.accept(at);
            long shift = (visits + 1) * 1_000L;
            Instant receivedAt = at;
            REAL.forEach(request -> send(read(later(request, shift), receivedAt)));
        }
        flush();
    }

    /** Adds a record to the poll being gathered, applying the poll once it holds {@value #BATCH}. */
    void send(EventRecord record) {
        pending.add(record);
        if (pending.size() == BATCH) {
            flush();
        }
    }

    /** Applies what the poll being gathered holds. */
    void flush() {
        if (!pending.isEmpty()) {
            apply(pending);
            pending.clear();
        }
    }

    EventRecord read(CapturedRequest request, Instant receivedAt) {
        FixtureRecord record = FixtureRecords.of(request, receivedAt);
        return RECORDS.read(name -> Optional.ofNullable(record.headers().get(name)), record.value());
    }

    /** The same measurement, or the same error, some time later: another event, with another id. */
    static CapturedRequest later(CapturedRequest request, long millis) {
        Matcher time = Pattern.compile("\"time\":(\\d+)").matcher(request.body());
        String body = time.replaceFirst(match -> "\"time\":" + (Long.parseLong(match.group(1)) + millis));
        return new CapturedRequest(request.method(), request.path(), request.contentType(), request.contentEncoding(), body);
    }

    long usedMemory() {
        return redis.info("memory").lines().filter(line -> line.startsWith("used_memory:"))
                .mapToLong(line -> Long.parseLong(line.substring("used_memory:".length()).trim())).findFirst().orElseThrow();
    }

    /** Keys and their MEMORY USAGE (of every element: by default Redis samples five) by what they hold and by resolution, for the report. */
    String memoryByKind() {
        Map<String, long[]> kinds = new TreeMap<>();
        for (String key : keys("*")) {
            String kind = key.replaceFirst("^track:\\{[^}]*}:", "").replaceFirst("^([mhd]):\\d+", "<$1-bucket>")
                    .replaceFirst(":page:.*", ":page:<page>").replaceFirst("^dedup:\\d+", "dedup:<slot>");
            long[] sum = kinds.computeIfAbsent(kind, ignored -> new long[2]);
            sum[0]++;
            sum[1] += redis.memoryUsage(key, 0);
        }
        return kinds.entrySet().stream().map(kind -> kind.getKey() + " " + kind.getValue()[0] + " keys " + kind.getValue()[1] + " B")
                .collect(Collectors.joining(", "));
    }

    List<String> keys(String pattern) {
        return RedisKeys.matching(redis, pattern);
    }

    @Override
    public void close() {
        reads.close();
        redis.close();
        server.close();
    }

    /** Like the listener: a poll's records grouped by topic, each topic one partition here. */
    private void apply(List<EventRecord> batch) {
        Map<String, List<RecordUpdates>> byTopic = new LinkedHashMap<>();
        for (EventRecord record : batch) {
            String topic = "track." + record.family().name();
            long offset = offsets.merge(topic, 1L, Long::sum);
            byTopic.computeIfAbsent(topic, key -> new ArrayList<>())
                    .add(new RecordUpdates(offset, record.apikey(), record.eventId(), counts.of(record)));
        }
        store.apply(byTopic.entrySet().stream().map(topic -> new PartitionUpdates(topic.getKey(), 0, topic.getValue())).toList());
    }
}
