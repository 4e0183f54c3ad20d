package dev.trackpipeline.aggregator;

import dev.trackpipeline.aggregator.metrics.MetricKeys.Resolution;
import dev.trackpipeline.aggregator.query.MetricWindow;
import dev.trackpipeline.model.infra.InfrastructureDefaults;
import dev.trackpipeline.model.kafka.ConsumerGroups;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Every bucket and the dedup ring are capped, since a project's apikey is public and anyone can
 * send it anything: what a project keeps in Redis is bounded by these numbers, not by its traffic.
 *
 * <p>A full bucket decides by count, not by arrival: a newcomer takes the place of the name of the
 * lowest count estimate (Space-Saving), whose exact counts join {@code (other)}. A flood of new
 * names at the start of a bucket therefore cannot push the real names that follow into
 * {@code (other)}, and a name counted more than the bucket's total of its kind over the cap is
 * always named; a name shows its counts since it was (last) named, its earlier ones are in
 * {@code (other)}, and the totals add up.
 *
 * <p>How long buckets live is what a project's Redis is mostly made of, so each resolution is kept
 * just longer than the oldest bucket any window or series step reads ({@code MetricWindow}: a
 * window of up to an hour starts at a minute, up to a day at an hour, beyond that at midnight),
 * which the compact constructor insists on. With the defaults at most 71 minute buckets (70
 * minutes), 25 hour buckets (24 hours) and 31 day buckets (30 days) are alive at once.
 *
 * <p>Page hashes are much of what a flood leaves (one hash of vitals per page and bucket, at most
 * {@code EventCounts.MAX_PAGE_FIELDS} (485) fields however many distinct values it is sent, about
 * 7 KB), so minute buckets keep fewer pages than hour and day buckets, and fewer error groups and
 * failing requests: 50 of each, where hour and day buckets keep 200 pages and 500 groups and
 * requests. Every cap full, with the longest and widest names, a minute bucket takes at most
 * 1.65 MB and an hour or day bucket 4.45 MB (measured 1.60 and 4.33 MB with Redis 7.0), and a
 * remembered event id 88 bytes, so a project holds at most 71 × 1.65 + 56 × 4.45 = 366 MB of
 * buckets, plus its dedup ring: 13 slices of up to max({@code dedupIdsPerSlice}, rate limit ×
 * 300 s) ids, 343 MB at the default 1,000 events/s: 710 MB in all
 * ({@code RedisMemoryBound.STATED_PER_PROJECT_WITH_DEFAULTS}, checked by
 * {@code WorstCaseRedisMemoryTest}). The previous defaults (minute buckets 48 hours, hour buckets
 * 30 days, 500 pages an hour bucket) allowed about 7.4 GB.
 *
 * @param groupId                 the aggregator's consumer group
 * @param dedupWindow             how long an event id is remembered, so a client's re-send counts once
 * @param minuteBucketRetention   how long per-minute buckets live after their end (each expires at
 *                                its end plus this, however early or late it is written): more
 *                                than the 59 minutes after its end a window of an hour reads one
 * @param hourBucketRetention     how long per-hour buckets live after their end: more than the
 *                                23 hours after its end a window of a day reads one
 * @param dayBucketRetention      how long per-day buckets live after their end: more than the
 *                                29 days after its end a window of 30 days reads one. Written beside
 *                                the minute and hour ones so that a long window is read from a few
 *                                buckets; the hours of the first day a project counted by day, when
 *                                a version without day buckets counted part of it (and of any day
 *                                before it), live as long after their day's end
 * @param maxPagesPerProject      how many pages get vitals of their own in one hour or day bucket of
 *                                a project ({@code track.aggregator.max-pages-per-project}: the name
 *                                predates the minute cap and is kept so existing settings still
 *                                apply); the others are counted together as {@code (other)}
 * @param maxPagesPerMinuteBucket how many pages get vitals of their own in one minute bucket of a
 *                                project; the others are counted together as {@code (other)}
 * @param maxGroupsPerBucket      how many error groups (each with a sample) and how many failing
 *                                requests one hour or day bucket of a project names; the others
 *                                are counted together as {@code (other)}
 * @param maxGroupsPerMinuteBucket the same for one minute bucket
 * @param dedupIdsPerSlice        how many event ids of one project are remembered per twelfth of the
 *                                dedup window (5 minutes of the default hour); a re-send of an event
 *                                counted beyond that is counted again, and
 *                                {@code track_aggregator_dedup_unremembered_total} says how many were
 * @param reads                   how the metrics API reads Redis, apart from the counting
 */
@ConfigurationProperties("track.aggregator")
public record AggregatorProperties(@DefaultValue(ConsumerGroups.AGGREGATOR) String groupId, @DefaultValue Redis redis,
                                   @DefaultValue("1h") Duration dedupWindow,
                                   @DefaultValue("70m") Duration minuteBucketRetention,
                                   @DefaultValue("24h") Duration hourBucketRetention,
                                   @DefaultValue("200") int maxPagesPerProject,
                                   @DefaultValue("" + DEFAULT_MAX_PAGES_PER_MINUTE_BUCKET) int maxPagesPerMinuteBucket,
                                   @DefaultValue("500") int maxGroupsPerBucket,
                                   @DefaultValue("10000") int dedupIdsPerSlice,
                                   @DefaultValue("30d") Duration dayBucketRetention,
                                   @DefaultValue("" + DEFAULT_MAX_GROUPS_PER_MINUTE_BUCKET) int maxGroupsPerMinuteBucket,
                                   @DefaultValue Reads reads) {

    /** The minute caps' defaults, for callers that predate them. */
    public static final int DEFAULT_MAX_PAGES_PER_MINUTE_BUCKET = 50;
    public static final int DEFAULT_MAX_GROUPS_PER_MINUTE_BUCKET = 50;

    /**
     * The one Spring binds: with a second constructor it could not tell which. A retention no
     * longer than the oldest bucket some window still reads (both from the bucket's end, where its
     * expiry is counted from) would make that window miss counts without a word, so it stops the
     * start instead.
     */
    @ConstructorBinding
    public AggregatorProperties {
        // the tests that give no Redis count on a single server (the embedded one's address), waiting for no replica
        redis = redis == null ? new Redis(InfrastructureDefaults.HOST, InfrastructureDefaults.REDIS_PORT, null, 0, false) : redis;
        requireReadable("minute-bucket-retention", minuteBucketRetention, Resolution.MINUTE);
        requireReadable("hour-bucket-retention", hourBucketRetention, Resolution.HOUR);
        requireReadable("day-bucket-retention", dayBucketRetention, Resolution.DAY);
    }

    private static void requireReadable(String name, Duration retention, Resolution resolution) {
        if (retention == null || retention.compareTo(MetricWindow.oldestRead(resolution)) <= 0) {
            throw new IllegalArgumentException("track.aggregator." + name + " must be longer than " + MetricWindow.oldestRead(resolution)
                    + ": windows read " + resolution.name().toLowerCase(Locale.ROOT) + " buckets that old, got " + retention);
        }
    }

    /**
     * Properties with the default day buckets and reads, whose minute buckets name as many error
     * groups and failing requests as the others: the signature before them, which the tests still call.
     */
    public AggregatorProperties(String groupId, Redis redis, Duration dedupWindow, Duration minuteBucketRetention,
                                Duration hourBucketRetention, int maxPagesPerProject, int maxPagesPerMinuteBucket,
                                int maxGroupsPerBucket, int dedupIdsPerSlice) {
        this(groupId, redis, dedupWindow, minuteBucketRetention, hourBucketRetention, maxPagesPerProject, maxPagesPerMinuteBucket,
                maxGroupsPerBucket, dedupIdsPerSlice, Duration.ofDays(30), maxGroupsPerBucket, Reads.DEFAULTS);
    }

    /** The longest any bucket lives: how long a progress marker must outlive the buckets it guards. */
    public Duration longestBucketRetention() {
        Duration longest = minuteBucketRetention;
        for (Duration retention : new Duration[] {hourBucketRetention, dayBucketRetention}) {
            longest = retention.compareTo(longest) > 0 ? retention : longest;
        }
        return longest;
    }

    /**
     * Properties whose minute buckets keep {@value #DEFAULT_MAX_PAGES_PER_MINUTE_BUCKET} pages: the
     * signature before the minute cap, which the contract tests and the benchmark still call.
     */
    public AggregatorProperties(String groupId, Redis redis, Duration dedupWindow, Duration minuteBucketRetention,
                                Duration hourBucketRetention, int maxPagesPerProject, int maxGroupsPerBucket, int dedupIdsPerSlice) {
        this(groupId, redis, dedupWindow, minuteBucketRetention, hourBucketRetention, maxPagesPerProject,
                DEFAULT_MAX_PAGES_PER_MINUTE_BUCKET, maxGroupsPerBucket, dedupIdsPerSlice);
    }

    /**
     * The metrics API reads with connections of its own, so that a dashboard left open can never
     * take the connections the counting needs; beyond {@code connections} reads at once (or all
     * of them but one for one project) a request waits at most {@code maxWait}, then is answered 503.
     *
     * @param connections           Redis connections for reads, so how many read at once
     * @param maxWait               how long a read waits for a connection before it is refused
     * @param slowestPageCandidates how many of a window's busiest pages (by vitals counted) the
     *                              slowest-pages ranking considers, besides {@code (other)}: it
     *                              reads each candidate's histogram in each bucket of the window,
     *                              so this bounds its cost whatever the page caps
     */
    public record Reads(@DefaultValue("4") int connections, @DefaultValue("2s") Duration maxWait,
                        @DefaultValue("100") int slowestPageCandidates) {

        public static final Reads DEFAULTS = new Reads(4, Duration.ofSeconds(2), 100);

        public Reads {
            if (connections < 1) {
                // None would answer every read 503; a pool of -1 would be unbounded.
                throw new IllegalArgumentException("track.aggregator.reads.connections: must be 1 or more, got " + connections);
            }
            if (slowestPageCandidates < 1) {
                throw new IllegalArgumentException("track.aggregator.reads.slowest-page-candidates: must be 1 or more, got " + slowestPageCandidates);
            }
        }
    }

    /**
     * Where Redis is, in the seed server's terms (REDIS_HOST, REDIS_PORT, REDIS_PASSWORD, REDIS_DB),
     * or the nodes of a Redis Cluster (REDIS_CLUSTER_NODES): every key of a project carries its hash
     * tag, so each script and each read of a project runs on the one node that owns it.
     *
     * @param allowEviction          count on a Redis whose {@code maxmemory-policy} evicts keys, with a
     *                               warning, rather than refuse to start (REDIS_ALLOW_EVICTION): evicted
     *                               progress markers or event ids make redelivered events count twice
     * @param clusterNodes           {@code host:port} of some nodes of a Redis Cluster, which tell the
     *                               rest; empty for a single server at {@code host} and {@code port}
     * @param replicasToAcknowledge  how many replicas must hold a batch's writes (WAIT) before its
     *                               offsets are committed (REDIS_WAIT_REPLICAS): Redis replicates
     *                               after it answers, so a master lost with writes its replica never
     *                               got loses counts whose records Kafka would not deliver again. 0
     *                               does not wait; 1 or more with replicas that do not answer in
     *                               {@code replicasWithin} holds the counting back as an outage
     * @param replicasWithin         how long a batch waits for its writes to reach the replicas
     */
    public record Redis(@DefaultValue("127.0.0.1") String host, @DefaultValue("6379") int port, String password,
                        @DefaultValue("0") int database, @DefaultValue("false") boolean allowEviction, List<String> clusterNodes,
                        @DefaultValue("0") int replicasToAcknowledge, @DefaultValue("2s") Duration replicasWithin) {

        @ConstructorBinding
        public Redis {
            clusterNodes = clusterNodes == null ? List.of()
                    : clusterNodes.stream().map(String::trim).filter(node -> !node.isEmpty()).toList();
            for (String node : clusterNodes) {
                int colon = node.lastIndexOf(':');
                String nodePort = node.substring(colon + 1);
                if (colon < 1 || !nodePort.matches("[0-9]{1,5}") || Integer.parseInt(nodePort) < 1 || Integer.parseInt(nodePort) > 65_535) {
                    throw new IllegalArgumentException("track.aggregator.redis.cluster-nodes (REDIS_CLUSTER_NODES): each node is "
                            + "host:port, got '" + node + "'");
                }
            }
            if (!clusterNodes.isEmpty() && database != 0) {
                throw new IllegalArgumentException("track.aggregator.redis.database (REDIS_DB) is " + database + ", but a Redis "
                        + "Cluster has database 0 only: unset it, or unset REDIS_CLUSTER_NODES to use a single server");
            }
            if (replicasToAcknowledge < 0) {
                throw new IllegalArgumentException("track.aggregator.redis.replicas-to-acknowledge (REDIS_WAIT_REPLICAS): 0 or "
                        + "more, got " + replicasToAcknowledge);
            }
            if (replicasWithin == null || replicasWithin.isNegative() || replicasWithin.isZero()) {
                // WAIT's 0 would block until the replicas answer, however long: a batch could hang.
                throw new IllegalArgumentException("track.aggregator.redis.replicas-within: more than 0, got " + replicasWithin);
            }
        }

        /** A single server, its writes not waited on: what the tests and the benchmark use. */
        public Redis(String host, int port, String password, int database, boolean allowEviction) {
            this(host, port, password, database, allowEviction, List.of(), 0, Duration.ofSeconds(2));
        }

        /** The nodes of a Redis Cluster, and how many replicas must hold each batch's writes. */
        public Redis inCluster(List<String> nodes, int replicas) {
            return new Redis(host, port, password, 0, allowEviction, nodes, replicas, replicasWithin);
        }

        public boolean cluster() {
            return !clusterNodes.isEmpty();
        }

        /** Where Redis is, for messages: the cluster's nodes, or the single server. */
        public String where() {
            return cluster() ? "the Redis Cluster at " + String.join(",", clusterNodes) : "Redis at " + host + ":" + port;
        }
    }
}
