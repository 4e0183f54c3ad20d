package dev.trackpipeline.aggregator.metrics;

import java.time.Duration;
import java.time.Instant;

/**
 * Redis key names. The project sits in a hash tag ({@code {apikey}}) so that, on Redis Cluster,
 * all of one project's keys share a slot and multi-key reads over a window stay in one node.
 */
public final class MetricKeys {

    /**
     * A time bucket resolution and how its keys are named. Every event is counted in a bucket of
     * each, so a window is read from the coarsest buckets that fit in it ({@code MetricWindow}):
     * the day buckets are there for the reads, which would otherwise grow with the window.
     */
    public enum Resolution {
        MINUTE("m", Duration.ofMinutes(1)), HOUR("h", Duration.ofHours(1)), DAY("d", Duration.ofDays(1));

        private final String code;
        private final Duration length;

        Resolution(String code, Duration length) {
            this.code = code;
            this.length = length;
        }

        public Duration length() {
            return length;
        }

        public long bucketOf(Instant time) {
            return time.toEpochMilli() / length.toMillis();
        }

        /** How many minutes one bucket spans. */
        public long minutes() {
            return length.toMinutes();
        }
    }

    /** One bucket of one resolution: {@code index} counts buckets of that length since the epoch (UTC). */
    public record Bucket(Resolution resolution, long index) {

        public long startMillis() {
            return index * resolution.length().toMillis();
        }

        public long endMillis() {
            return startMillis() + resolution.length().toMillis();
        }
    }

    private MetricKeys() {
    }

    /** Hash of counters for one project and one bucket. */
    public static String counters(String apikey, Resolution resolution, long bucket) {
        return bucketsPrefix(apikey, resolution) + bucket;
    }

    /**
     * What every key of one project's buckets of one resolution begins with. The script is told
     * the minute buckets' prefix to choose their page cap: the project is known exactly, so no
     * apikey can make an hour bucket's key look like a minute bucket's.
     */
    public static String bucketsPrefix(String apikey, Resolution resolution) {
        return "track:{" + apikey + "}:" + resolution.code + ":";
    }

    /** HyperLogLog of the page sessions ({@code uuid}) seen in one bucket. */
    public static String sessions(String apikey, Resolution resolution, long bucket) {
        return counters(apikey, resolution, bucket) + ":sessions";
    }

    /**
     * Sorted set of error fingerprints by their exact occurrences in one bucket since the bucket
     * (last) named them; the occurrences of the groups it does not name, or named before, count as
     * {@link #OTHER}, so the scores add up to the bucket's errors. Which groups are named is
     * decided by {@link #errorGroupRanks}.
     */
    public static String errorGroups(String apikey, Resolution resolution, long bucket) {
        return counters(apikey, resolution, bucket) + ":errors";
    }

    /**
     * Suffix that makes a capped key (a sorted set of groups, or the {@link #pageVitalsPrefix}
     * without its final colon) the key of its ranks: the sorted set of the names the bucket keeps
     * apart, each with its Space-Saving estimate, an upper bound of its count in the bucket. When a
     * new name finds the bucket full, the name of the lowest rank gives up its place (its exact
     * counts go to {@link #OTHER}) and the newcomer takes that rank plus its own count. The ranks
     * add up to the bucket's total of their kind, so a name counted more than that total over the
     * cap is never the lowest and keeps its place, however many names a flood sends before or
     * after it. {@link #OTHER} is never ranked, so never evicted. Ties go by name, a sorted set's
     * order.
     */
    public static final String RANK_SUFFIX = "-rank";

    /** The ranks ({@link #RANK_SUFFIX}) of the fingerprints {@link #errorGroups} names. */
    public static String errorGroupRanks(String apikey, Resolution resolution, long bucket) {
        return errorGroups(apikey, resolution, bucket) + RANK_SUFFIX;
    }

    /** Suffix that makes a bucket's error groups key its samples key; the script strips it to find the groups. */
    public static final String SAMPLES_SUFFIX = ":samples";

    /**
     * Per fingerprint named in the bucket's {@link #errorGroups}: its title, type and the id of one
     * occurrence, for top-error lists. The key is the groups key plus {@link #SAMPLES_SUFFIX}.
     */
    public static String errorSamples(String apikey, Resolution resolution, long bucket) {
        return errorGroups(apikey, resolution, bucket) + SAMPLES_SUFFIX;
    }

    /** Log-scale histogram of one web vital in one bucket ({@link VitalsHistogram#FINE}). */
    public static String vitalHistogram(String apikey, Resolution resolution, long bucket, String metric) {
        return counters(apikey, resolution, bucket) + ":vital:" + metric;
    }

    /**
     * Sorted set of failing XHR/fetch requests ("METHOD /path", at most {@link BoundedText#MAX_LENGTH}
     * characters) by occurrences in one bucket, capped as {@link #errorGroups} are: the requests
     * the bucket does not name count as {@link #OTHER}.
     */
    public static String httpFailures(String apikey, Resolution resolution, long bucket) {
        return counters(apikey, resolution, bucket) + ":http-failures";
    }

    /** The ranks ({@link #RANK_SUFFIX}) of the requests {@link #httpFailures} names. */
    public static String httpFailureRanks(String apikey, Resolution resolution, long bucket) {
        return httpFailures(apikey, resolution, bucket) + RANK_SUFFIX;
    }

    /**
     * Log-scale histogram ({@link VitalsHistogram#FINE}) of resource load durations (resource-list
     * entries) in one bucket. A new name: the previous version's {@code :resource-durations} had no
     * {@link #coarseHistograms} beside it, which a read needs and nothing else could check it
     * against, so those are not read and age out with their buckets.
     */
    public static String resourceDurations(String apikey, Resolution resolution, long bucket) {
        return counters(apikey, resolution, bucket) + ":resource-histogram";
    }

    /** The histogram family of {@link #resourceDurations} in {@link #coarseHistograms}; the others are the vitals' names. */
    public static final String RESOURCES = "resources";

    /**
     * The coarse buckets ({@link VitalsHistogram#coarseOf}) of every fine histogram of one bucket,
     * the 7 vitals' ({@link #vitalHistogram}) and the resources' ({@link #resourceDurations}), as
     * fields {@link #coarseHistogramField}: what a read looks at first, so that it reads only the
     * few fine buckets the percentiles fall in. One hash for all, so one command a bucket; at most
     * 6 × 64 + 37 + 64 = 485 fields (CLS is plausible up to 100 only), a compact listpack below
     * Redis's default 512.
     */
    public static String coarseHistograms(String apikey, Resolution resolution, long bucket) {
        return counters(apikey, resolution, bucket) + ":coarse-histograms";
    }

    /** The most fields {@link #coarseHistograms} can have, whatever it is sent ({@code VitalsHistogramTest} counts them). */
    public static final int COARSE_HISTOGRAM_FIELDS = 485;

    /** The field of {@link #coarseHistograms} counting one coarse bucket of one family (a vital, or {@link #RESOURCES}), such as {@code LCP:18}. */
    public static String coarseHistogramField(String family, String coarseBucket) {
        return family + ":" + coarseBucket;
    }

    /**
     * Which slice of time each slot of the project's dedup ring holds (field: slot, value: slice);
     * the slots themselves are {@link #dedupSlot} keys.
     */
    public static String dedupSlices(String apikey) {
        return "track:{" + apikey + "}:dedup";
    }

    /** Set of the compact ids ({@link DedupIds}) of the events counted in one slice of the dedup window. */
    public static String dedupSlot(String apikey, int slot) {
        return dedupSlices(apikey) + ":" + slot;
    }

    /** Fields of {@link #memory}: the largest used JS heap, and the latest as {@code "<received-at ms> <bytes>"}. */
    public static final String MAX_USED_HEAP = "maxUsedBytes";
    public static final String LAST_USED_HEAP = "lastUsed";

    /** Hash of the JavaScript heap samples' largest and latest value in one bucket. */
    public static String memory(String apikey, Resolution resolution, long bucket) {
        return counters(apikey, resolution, bucket) + ":memory";
    }

    /**
     * Hash of when the project's day buckets began: field {@link #FIRST_DAY} holds minus the
     * index of the first day this version counted anything in (the earliest day of the project's
     * first batch, recorded once: a record of an earlier day that comes later does not move it),
     * or minus the day before when nothing was counted that day before it. That day, and any
     * before it, may lack what the previous version counted without day buckets, so a read takes
     * only the later days from their day buckets and the others from their hours
     * ({@code MetricWindow#cover}). It lives the day retention from the project's last write, so a
     * project idle for longer starts again, and reads hours then.
     */
    public static String dayBuckets(String apikey) {
        return "track:{" + apikey + "}:day-buckets";
    }

    /** The field of {@link #dayBuckets}: minus the first day (since the epoch, UTC) of day buckets. */
    public static final String FIRST_DAY = "firstDay";

    /**
     * The hash a probe write sets ({@code RedisOutages.takesWrites}), with a short expiry: under the
     * {@code track:} prefix with a hash tag of its own, like every key the aggregator's script writes,
     * so an ACL that lets the aggregator write its keys lets it write this one. No project's keys end
     * in {@code :write-probe}, so an apikey named write-probe cannot collide with it.
     */
    public static String writeProbe() {
        return "track:{write-probe}:write-probe";
    }

    /** A name in the project's slot (no such key is written): what finds the node of a Redis Cluster that holds the project's keys. */
    public static String slotOf(String apikey) {
        return "track:{" + apikey + "}";
    }

    /** A project's last applied offset per topic-partition, for one consumer group. */
    public static String progress(String apikey, String groupId) {
        return "track:{" + apikey + "}:progress:" + groupId;
    }

    /**
     * What stands for everything a bucket does not name: the vitals of the pages it keeps no hash
     * for, the error groups and failing requests it does not name, and the counts of those it
     * named before they gave up their place.
     */
    public static final String OTHER = "(other)";

    /**
     * The ranks ({@link #RANK_SUFFIX}) of the pages with vitals of their own in one bucket (at most
     * a configured number per resolution): the {@link #pageVitalsPrefix} without its final colon,
     * plus the suffix, which is how the script finds it. A new name: the previous version kept a
     * set under the name without the suffix, which this sorted set must not collide with.
     */
    public static String pageRanks(String apikey, Resolution resolution, long bucket) {
        return counters(apikey, resolution, bucket) + ":page" + RANK_SUFFIX;
    }

    /**
     * Prefix of the hash of one page's vitals in one bucket; the script completes it with the page
     * while {@link #pageRanks} names it, else with {@link #OTHER}. A page's hash holds its vitals
     * since the bucket (last) named it, in at most {@link EventCounts#MAX_PAGE_FIELDS} fields.
     */
    public static String pageVitalsPrefix(String apikey, Resolution resolution, long bucket) {
        return counters(apikey, resolution, bucket) + ":page:";
    }
}
