package dev.trackpipeline.aggregator;

import dev.trackpipeline.model.kafka.ConsumerGroups;

import java.time.Duration;
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
 * <p>Page hashes are much of what a flood leaves (one hash of vitals per page and bucket), so
 * minute buckets, 2,880 of them in the default 48 hours, keep fewer pages than the 720 hour
 * buckets of 30 days: at most 2,880 × (50 + 1) + 720 × (500 + 1) = 507,600 page hashes per project
 * with the defaults ({@code (other)} included), where one cap of 500 for both allowed 1,803,600.
 * Each has at most {@code EventCounts.MAX_PAGE_FIELDS} (485) fields however many distinct values
 * it is sent, about 7 KB.
 *
 * <p>With the defaults and every cap filled (the longest names, every page hash and histogram
 * full), a minute bucket takes about 1.46 MB and an hour bucket about 4.5 MB (Redis 7.0), so a
 * project holds at most about 2,880 × 1.46 MB + 720 × 4.5 MB ≈ 7.4 GB of buckets (3.3 GB of it
 * page hashes, which on the fine scale could take up to 575 KB each), plus its dedup ring: 13
 * slices of up to max({@code dedupIdsPerSlice}, rate limit × 300 s) ids at about 61 to 69 bytes,
 * 240 to 270 MB at the default 1,000 events/s.
 *
 * @param groupId                 the aggregator's consumer group
 * @param dedupWindow             how long an event id is remembered, so a client's re-send counts once
 * @param minuteBucketRetention   how long per-minute buckets live
 * @param hourBucketRetention     how long per-hour buckets live
 * @param dayBucketRetention      how long per-day buckets live: a bucket a day per project, written
 *                                beside the minute and hour ones so that a long window is read
 *                                from a few buckets (up to 4.5 MB each with every cap full, like
 *                                an hour bucket: about 140 MB per project for 31 days)
 * @param maxPagesPerProject      how many pages get vitals of their own in one <em>hour</em> bucket of
 *                                a project ({@code track.aggregator.max-pages-per-project}: the name
 *                                predates the minute cap and is kept so existing settings still
 *                                apply); the others are counted together as {@code (other)}
 * @param maxPagesPerMinuteBucket how many pages get vitals of their own in one minute bucket of a
 *                                project; the others are counted together as {@code (other)}
 * @param maxGroupsPerBucket      how many error groups (each with a sample) and how many failing
 *                                requests one bucket of a project names; the others are counted
 *                                together as {@code (other)}
 * @param dedupIdsPerSlice        how many event ids of one project are remembered per twelfth of the
 *                                dedup window (5 minutes of the default hour); a re-send of an event
 *                                counted beyond that is counted again, and
 *                                {@code track_aggregator_dedup_unremembered_total} says how many were
 * @param reads                   how the metrics API reads Redis, apart from the counting
 */
@ConfigurationProperties("track.aggregator")
public record AggregatorProperties(@DefaultValue(ConsumerGroups.AGGREGATOR) String groupId, @DefaultValue Redis redis,
                                   @DefaultValue("1h") Duration dedupWindow,
                                   @DefaultValue("48h") Duration minuteBucketRetention,
                                   @DefaultValue("30d") Duration hourBucketRetention,
                                   @DefaultValue("500") int maxPagesPerProject,
                                   @DefaultValue("" + DEFAULT_MAX_PAGES_PER_MINUTE_BUCKET) int maxPagesPerMinuteBucket,
                                   @DefaultValue("500") int maxGroupsPerBucket,
                                   @DefaultValue("10000") int dedupIdsPerSlice,
                                   @DefaultValue("31d") Duration dayBucketRetention,
                                   @DefaultValue Reads reads) {

    /** The minute cap's default, for callers that predate it. */
    public static final int DEFAULT_MAX_PAGES_PER_MINUTE_BUCKET = 50;

    /** The one Spring binds: with a second constructor it could not tell which. */
    @ConstructorBinding
    public AggregatorProperties {
    }

    /** Properties with the default day buckets and reads: the signature before them, which the tests still call. */
    public AggregatorProperties(String groupId, Redis redis, Duration dedupWindow, Duration minuteBucketRetention,
                                Duration hourBucketRetention, int maxPagesPerProject, int maxPagesPerMinuteBucket,
                                int maxGroupsPerBucket, int dedupIdsPerSlice) {
        this(groupId, redis, dedupWindow, minuteBucketRetention, hourBucketRetention, maxPagesPerProject, maxPagesPerMinuteBucket,
                maxGroupsPerBucket, dedupIdsPerSlice, Duration.ofDays(31), Reads.DEFAULTS);
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
     * take the connections the counting needs; beyond {@code connections} reads at once a request
     * waits at most {@code maxWait}, then is answered 503.
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
    }

    /** Where Redis is, in the seed server's terms (REDIS_HOST, REDIS_PORT, REDIS_PASSWORD, REDIS_DB). */
    public record Redis(@DefaultValue("127.0.0.1") String host, @DefaultValue("6379") int port, String password,
                        @DefaultValue("0") int database) {
    }
}
