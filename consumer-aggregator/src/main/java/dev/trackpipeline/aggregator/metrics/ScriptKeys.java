package dev.trackpipeline.aggregator.metrics;

import dev.trackpipeline.aggregator.metrics.MergedUpdates.Target;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The keys one call of {@code apply-batch.lua} declares in {@code KEYS}: every key the script
 * touches but one, derived here by the script's own naming rules, each once, and a name in the
 * project's slot that no key ever takes; the updates name their key by its index here (from 1,
 * Lua's), so no key name travels twice.
 *
 * <p>Declared keys are what Redis Cluster checks a script against before it runs. While a
 * project's slot is moving to another node (resharding), the node it leaves runs a script only if
 * it holds every declared key, and the node it goes to only if it holds them all too; otherwise
 * they answer {@code ASK} or {@code TRYAGAIN}, which the aggregator waits out as an outage
 * ({@link RedisOutages}) until the slot has moved and {@code MOVED} sends the batch to its new
 * node. The name no key takes ({@link MetricKeys#slotOf}) is never held, so no script of the
 * project runs while its slot moves at all: a script that did could meet, mid-way, a key that had
 * just moved (or one it deleted itself, which counts as moved) and fail after writing part of the
 * batch ("non local key"), which its retry would count again.
 *
 * <p>The one key left out is the hash of a page that a full bucket evicts: its ranks, in Redis,
 * name it. It carries the project's hash tag like every key here, and no script runs while the
 * slot moves, so it is always on the node that runs the script. A page's prefix is declared as
 * the index its updates name: a name no key takes either.
 */
final class ScriptKeys {

    private final Map<String, Integer> indexes = new LinkedHashMap<>();
    private final String hourBuckets;

    /** {@code KEYS[1]} the progress hash, {@code KEYS[2]} the dedup ring, {@code KEYS[3]} the day buckets' start, {@code KEYS[4]} the slot's name, then the ring's slots. */
    ScriptKeys(String apikey, String groupId, int ringSlots) {
        declare(MetricKeys.progress(apikey, groupId));
        declare(MetricKeys.dedupSlices(apikey));
        declare(MetricKeys.dayBuckets(apikey));
        declare(MetricKeys.slotOf(apikey));
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
