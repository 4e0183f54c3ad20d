package dev.trackpipeline.aggregator;

import static dev.trackpipeline.aggregator.JunkFlood.APIKEY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.aggregator.metrics.MetricKeys;
import dev.trackpipeline.aggregator.metrics.MetricKeys.Resolution;
import dev.trackpipeline.aggregator.query.MetricWindow;
import dev.trackpipeline.aggregator.query.TopError;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The top errors' titles are looked up newest bucket first, and the lookup stops once every group
 * shown has one. {@code (other)}, the groups a bucket does not name, never has one: when it ranked
 * among the top, the lookup read every bucket of the window.
 */
class TopErrorsSampleLookupTest {

    @Test
    void theLookupStopsAtTheFirstBucketsThatHoldEveryNamedGroupsSampleEvenWithOtherAmongTheTop() {
        Instant now = Instant.now();
        try (JunkFlood store = new JunkFlood(now)) {
            long newest = Resolution.MINUTE.bucketOf(now);
            for (long minute = newest - 60; minute <= newest; minute++) {
                store.redis.zadd(MetricKeys.errorGroups(APIKEY, Resolution.MINUTE, minute), Map.of(MetricKeys.OTHER, 100.0, "f1", 1.0));
            }
            store.redis.hset(MetricKeys.errorSamples(APIKEY, Resolution.MINUTE, newest), "f1",
                    "{\"title\":\"Uncaught Error: boom\",\"type\":\"error\",\"sampleEventId\":\"e1\"}");
            long lookupsBefore = hmgetCalls(store);

            List<TopError> top = store.reader.topErrors(APIKEY, MetricWindow.parse("1h"), now, 2);

            assertThat(top).extracting(TopError::fingerprint).containsExactly(MetricKeys.OTHER, "f1");
            assertThat(top.get(1).title()).isEqualTo("Uncaught Error: boom");
            // The 16 newest buckets (one pipeline) hold it: the 61 of the window are not all read.
            assertThat(hmgetCalls(store) - lookupsBefore).isLessThanOrEqualTo(16);
        }
    }

    private static long hmgetCalls(JunkFlood store) {
        return store.redis.info("commandstats").lines().filter(line -> line.startsWith("cmdstat_hmget:"))
                .mapToLong(line -> Long.parseLong(line.replaceFirst("^cmdstat_hmget:calls=(\\d+),.*", "$1"))).sum();
    }
}
