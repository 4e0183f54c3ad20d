package dev.trackpipeline.aggregator.metrics;

import dev.trackpipeline.aggregator.metrics.MetricUpdate.Operation;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Many events' updates as the fewest writes with the same effect. A batch of 500 events adds to a
 * few hundred distinct counters: merged here, the aggregation script receives and performs one
 * write per key and field instead of one per event, which is most of what Redis spent on a batch.
 *
 * <p>Each operation merges as Redis would have applied its updates one by one: increments add
 * up, {@code SAMPLE} keeps the first value, {@code HMAX} the largest (and {@code FIRST_DAY}, minus
 * the day: the batch's earliest day), {@code HLATEST} the latest
 * time, and a sketch's members are a set. The script then applies the merged value against what
 * Redis already holds.
 */
public final class MergedUpdates {

    /** Where one merged value goes: for {@code PAGE_HINCRBY}, {@code key} is the prefix and {@code page} completes it. */
    public record Target(Operation operation, String key, String field, String page) {
    }

    /** Hash increments, kept as numbers: they are most of the updates (HINCRBY takes integers only). */
    private final Map<Target, Long> increments = new LinkedHashMap<>();
    private final Map<Target, String> values = new LinkedHashMap<>();
    /** Each target's last update: when its key's life starts and how long it is ({@link MetricUpdate#lifeStartMillis}). */
    private final Map<Target, MetricUpdate> lives = new LinkedHashMap<>();

    public void add(MetricUpdate update) {
        Target target = update.operation() == Operation.PAGE_HINCRBY
                ? new Target(update.operation(), update.key(), update.field(), update.argument())
                : new Target(update.operation(), update.key(), update.field(), "");
        switch (update.operation()) {
            case HINCRBY -> increments.merge(target, Long.parseLong(update.argument()), Long::sum);
            case PAGE_HINCRBY -> increments.merge(target, 1L, Long::sum);
            case ZINCRBY -> values.merge(target, update.argument(), (kept, added) ->
                    new BigDecimal(kept).add(new BigDecimal(added)).toPlainString());
            case SAMPLE -> values.putIfAbsent(target, update.argument());
            case HMAX, FIRST_DAY -> values.merge(target, update.argument(), (kept, candidate) ->
                    new BigDecimal(candidate).compareTo(new BigDecimal(kept)) > 0 ? candidate : kept);
            case HLATEST -> values.merge(target, update.argument(), (kept, candidate) ->
                    timeOf(candidate) > timeOf(kept) ? candidate : kept);
            case PFADD -> values.putIfAbsent(target, "");
        }
        lives.put(target, update);
    }

    public void addAll(List<MetricUpdate> updates) {
        updates.forEach(this::add);
    }

    /** The merged value of each target: the sum, the value kept, or "" for a sketch's member. */
    public Map<Target, String> values() {
        Map<Target, String> all = new LinkedHashMap<>();
        increments.forEach((target, sum) -> all.put(target, String.valueOf(sum)));
        all.putAll(values);
        return all;
    }

    /**
     * The script's arguments: per target its operation, the index of its key among {@code keys}
     * (declared there with the keys the script names after it), field, value, page ("" unless a
     * page's), when its key's life starts (-1: at the write) and how long it is, in milliseconds.
     */
    List<String> arguments(ScriptKeys keys) {
        Map<Target, String> all = values();
        List<String> arguments = new ArrayList<>(all.size() * 7);
        all.forEach((target, value) -> {
            arguments.add(target.operation().name());
            arguments.add(String.valueOf(keys.declare(target, value)));
            arguments.add(target.field());
            arguments.add(value);
            arguments.add(target.page());
            arguments.add(String.valueOf(lives.get(target).lifeStartMillis()));
            arguments.add(String.valueOf(lives.get(target).lifeMillis()));
        });
        return arguments;
    }

    /** HLATEST values are {@code "<received-at ms> <value>"}. */
    private static long timeOf(String latestValue) {
        int space = latestValue.indexOf(' ');
        return Long.parseLong(space < 0 ? latestValue : latestValue.substring(0, space));
    }
}
