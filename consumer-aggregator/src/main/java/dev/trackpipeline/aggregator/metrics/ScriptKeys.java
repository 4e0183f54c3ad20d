package dev.trackpipeline.aggregator.metrics;

import dev.trackpipeline.aggregator.metrics.MergedUpdates.Target;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The keys one call of {@code apply-batch.lua} declares in {@code KEYS}: every key the script
 * touches but one, derived here by the script's own naming rules, each once; the updates name
 * their key by its index here (from 1, Lua's), so no key name travels twice.
 *
 * <p>Declared keys are what Redis Cluster checks a script against. While a project's slot moves to
 * another node (resharding), the node it leaves runs a script only if it still holds every
 * declared key, and otherwise answers {@code TRYAGAIN} or {@code ASK}, which the aggregator waits
 * out as an outage ({@link RedisOutages}) until the slot has moved and {@code MOVED} sends the
 * batch to its new node. A script that named its keys in {@code ARGV} only ran on the old node
 * and wrote there keys that had already moved, and the move then failed on them ({@code BUSYKEY}).
 *
 * <p>The one key left out is the hash of a page that a full bucket evicts: its ranks, in Redis,
 * name it. The script reads it and deletes it, never creates it, so a move cannot fail on it; a
 * page evicted in the moment its hash had moved ahead of its bucket's other keys leaves its
 * vitals in that hash, no longer named, instead of in {@link MetricKeys#OTHER}'s, until the
 * bucket expires. A page's prefix is declared too, as the index its updates name: a name in the
 * project's slot that no key takes.
 */
final class ScriptKeys {

    private final Map<String, Integer> indexes = new LinkedHashMap<>();
    private final String hourBuckets;

    /** {@code KEYS[1]} the progress hash, {@code KEYS[2]} the dedup ring, {@code KEYS[3]} the day buckets' start, then the ring's slots. */
    ScriptKeys(String apikey, String groupId, int ringSlots) {
        declare(MetricKeys.progress(apikey, groupId));
        declare(MetricKeys.dedupSlices(apikey));
        declare(MetricKeys.dayBuckets(apikey));
        for (int slot = 0; slot < ringSlots; slot++) {
            declare(MetricKeys.dedupSlot(apikey, slot));
        }
        this.hourBuckets = MetricKeys.bucketsPrefix(apikey, MetricKeys.Resolution.HOUR);
    }

    /**
     * Declares the target's key and the keys the script names after it, and says the key's index.
     *
     * @param value the target's merged value: for {@code FIRST_DAY}, minus the day whose hour
     *              buckets the script looks for when it records the project's first day
     */
    int declare(Target target, String value) {
        String key = target.key();
        switch (target.operation()) {
            case PAGE_HINCRBY -> {
                declare(key + target.page());
                declare(key + MetricKeys.OTHER);
                declare(key.substring(0, key.length() - 1) + MetricKeys.RANK_SUFFIX);
            }
            case ZINCRBY -> {
                declare(key + MetricKeys.RANK_SUFFIX);
                declare(key + MetricKeys.SAMPLES_SUFFIX);
            }
            case SAMPLE -> declare(key.substring(0, key.length() - MetricKeys.SAMPLES_SUFFIX.length()));
            case FIRST_DAY -> {
                long day = -Long.parseLong(value);
                for (long hour = day * 24; hour < day * 24 + 24; hour++) {
                    declare(hourBuckets + hour);
                }
            }
            case HINCRBY, PFADD, HMAX, HLATEST -> {
                // the key alone
            }
        }
        return declare(key);
    }

    private int declare(String key) {
        return indexes.computeIfAbsent(key, added -> indexes.size() + 1);
    }

    List<String> keys() {
        return List.copyOf(indexes.keySet());
    }
}
