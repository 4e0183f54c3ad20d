package dev.trackpipeline.aggregator.metrics;

import java.time.Duration;
import java.time.Instant;

/**
 * Redis key names. The project sits in a hash tag ({@code {apikey}}) so that, on Redis Cluster,
 * all of one project's keys share a slot and multi-key reads over a window stay in one node.
 */
public final class MetricKeys {

    /** A time bucket resolution and how its keys are named. */
    public enum Resolution {
        MINUTE("m", Duration.ofMinutes(1)), HOUR("h", Duration.ofHours(1));

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
    }

    private MetricKeys() {
    }

    /** Hash of counters for one project and one bucket. */
    public static String counters(String apikey, Resolution resolution, long bucket) {
        return "track:{" + apikey + "}:" + resolution.code + ":" + bucket;
    }

    /** HyperLogLog of the page sessions ({@code uuid}) seen in one bucket. */
    public static String sessions(String apikey, Resolution resolution, long bucket) {
        return counters(apikey, resolution, bucket) + ":sessions";
    }

    /** Sorted set of error fingerprints by occurrences in one bucket, the groups beyond its cap as {@link #OTHER}. */
    public static String errorGroups(String apikey, Resolution resolution, long bucket) {
        return counters(apikey, resolution, bucket) + ":errors";
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

    /** Log-scale histogram of one web vital in one bucket ({@link VitalsHistogram}). */
    public static String vitalHistogram(String apikey, Resolution resolution, long bucket, String metric) {
        return counters(apikey, resolution, bucket) + ":vital:" + metric;
    }

    /**
     * Sorted set of failing XHR/fetch requests ("METHOD /path", at most {@link BoundedText#MAX_LENGTH}
     * characters) by occurrences in one bucket, the requests beyond its cap as {@link #OTHER}.
     */
    public static String httpFailures(String apikey, Resolution resolution, long bucket) {
        return counters(apikey, resolution, bucket) + ":http-failures";
    }

    /** Log-scale histogram of resource load durations (resource-list entries) in one bucket. */
    public static String resourceDurations(String apikey, Resolution resolution, long bucket) {
        return counters(apikey, resolution, bucket) + ":resource-durations";
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

    /** A project's last applied offset per topic-partition, for one consumer group. */
    public static String progress(String apikey, String groupId) {
        return "track:{" + apikey + "}:progress:" + groupId;
    }

    /**
     * What stands for everything beyond a bucket's cap: the pages' vitals beyond its page cap, the
     * error groups and failing requests beyond its group cap.
     */
    public static final String OTHER = "(other)";

    /**
     * The pages with vitals of their own in one bucket (at most a configured number): the
     * {@link #pageVitalsPrefix} without its final colon, which is how the script finds it.
     */
    public static String pages(String apikey, Resolution resolution, long bucket) {
        return counters(apikey, resolution, bucket) + ":page";
    }

    /**
     * Prefix of the hash of one page's vitals in one bucket; the script completes it with the
     * page, or with {@link #OTHER} once the bucket has as many pages as it may keep apart.
     */
    public static String pageVitalsPrefix(String apikey, Resolution resolution, long bucket) {
        return pages(apikey, resolution, bucket) + ":";
    }
}
