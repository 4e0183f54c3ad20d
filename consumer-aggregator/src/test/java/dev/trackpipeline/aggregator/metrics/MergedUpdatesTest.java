package dev.trackpipeline.aggregator.metrics;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.aggregator.metrics.MergedUpdates.Target;
import dev.trackpipeline.aggregator.metrics.MetricUpdate.Operation;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MergedUpdatesTest {

    @Test
    void mergesEachOperationAsRedisWouldHaveAppliedItsUpdatesOneByOne() {
        MergedUpdates merged = new MergedUpdates();
        merged.addAll(List.of(
                MetricUpdate.increment("counters", "events", 60),
                MetricUpdate.increment("counters", "events", 60),
                new MetricUpdate(Operation.HINCRBY, "counters", "longTask:totalMs", "120", 60),
                new MetricUpdate(Operation.HINCRBY, "counters", "longTask:totalMs", "80", 60),
                new MetricUpdate(Operation.ZINCRBY, "groups", "fingerprint-a", "1", 60),
                new MetricUpdate(Operation.ZINCRBY, "groups", "fingerprint-a", "1", 60),
                new MetricUpdate(Operation.SAMPLE, "samples", "fingerprint-a", "first", 60),
                new MetricUpdate(Operation.SAMPLE, "samples", "fingerprint-a", "second", 60),
                new MetricUpdate(Operation.HMAX, "memory", "max", "900", 60),
                new MetricUpdate(Operation.HMAX, "memory", "max", "10000", 60),
                new MetricUpdate(Operation.HMAX, "memory", "max", "2000", 60),
                new MetricUpdate(Operation.HLATEST, "memory", "last", "1700000000500 300", 60),
                new MetricUpdate(Operation.HLATEST, "memory", "last", "1700000000900 100", 60),
                new MetricUpdate(Operation.HLATEST, "memory", "last", "1700000000700 200", 60),
                new MetricUpdate(Operation.PFADD, "sessions", "session-1", "", 60),
                new MetricUpdate(Operation.PFADD, "sessions", "session-1", "", 60),
                new MetricUpdate(Operation.PFADD, "sessions", "session-2", "", 60),
                new MetricUpdate(Operation.PAGE_HINCRBY, "pages:", "vital:LCP:good", "/home", 60),
                new MetricUpdate(Operation.PAGE_HINCRBY, "pages:", "vital:LCP:good", "/home", 60),
                new MetricUpdate(Operation.PAGE_HINCRBY, "pages:", "vital:LCP:good", "/cart", 60)));

        assertThat(merged.values()).containsExactlyInAnyOrderEntriesOf(Map.ofEntries(
                entry(new Target(Operation.HINCRBY, "counters", "events", ""), "2"),
                entry(new Target(Operation.HINCRBY, "counters", "longTask:totalMs", ""), "200"),
                entry(new Target(Operation.ZINCRBY, "groups", "fingerprint-a", ""), "2"),
                entry(new Target(Operation.SAMPLE, "samples", "fingerprint-a", ""), "first"),
                entry(new Target(Operation.HMAX, "memory", "max", ""), "10000"),
                entry(new Target(Operation.HLATEST, "memory", "last", ""), "1700000000900 100"),
                entry(new Target(Operation.PFADD, "sessions", "session-1", ""), ""),
                entry(new Target(Operation.PFADD, "sessions", "session-2", ""), ""),
                entry(new Target(Operation.PAGE_HINCRBY, "pages:", "vital:LCP:good", "/home"), "2"),
                entry(new Target(Operation.PAGE_HINCRBY, "pages:", "vital:LCP:good", "/cart"), "1")));
    }

    /** A bucket's key lives from the bucket's start its length and its retention; another key from each write. */
    @Test
    void givesTheScriptSevenArgumentsPerTargetNamingItsKeyByItsIndexInKeysWithWhenItsLifeStartsAndHowLongItIs() {
        MergedUpdates merged = new MergedUpdates();
        MetricKeys.Bucket hour = new MetricKeys.Bucket(MetricKeys.Resolution.HOUR, 10);
        merged.add(new MetricUpdate(Operation.PAGE_HINCRBY, "pages:", "vital:CLS:poor", "/home", 3600, hour));
        merged.add(new MetricUpdate(Operation.PAGE_HINCRBY, "pages:", "vital:CLS:poor", "/home", 3600, hour));
        merged.add(new MetricUpdate(Operation.FIRST_DAY, "day-buckets", "firstDay", "-3", 60));
        merged.add(new MetricUpdate(Operation.FIRST_DAY, "day-buckets", "firstDay", "-2", 60));

        ScriptKeys keys = new ScriptKeys("shop", "group", 0);

        assertThat(merged.arguments(keys)).containsExactly("PAGE_HINCRBY", String.valueOf(keys.keys().indexOf("pages:") + 1),
                "vital:CLS:poor", "2", "/home", "36000000", "7200000",
                "FIRST_DAY", String.valueOf(keys.keys().indexOf("day-buckets") + 1), "firstDay", "-2", "", "-1", "60000");
    }
}
