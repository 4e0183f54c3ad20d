package dev.trackpipeline.aggregator;

import static dev.trackpipeline.aggregator.JunkFlood.APIKEY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.aggregator.metrics.MetricKeys;
import dev.trackpipeline.aggregator.metrics.MetricKeys.Resolution;
import dev.trackpipeline.aggregator.query.MetricWindow;
import dev.trackpipeline.aggregator.query.PageCosts.RequestCount;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A top list is chosen in Redis by a script that keeps the best so far in a heap: it must return
 * the largest sums, largest first and ties by member, whatever order the members come in, the
 * worst being each member beating every one kept so far (ZRANGE gives them in ascending score).
 */
class LargestMembersTest {

    static final Instant NOW = Instant.parse("2026-05-04T10:30:30Z");
    static final JunkFlood store = new JunkFlood(NOW);

    @AfterAll
    static void stop() {
        store.close();
    }

    @Test
    void returnsTheLargestSumsLargestFirstAndTiesByMemberWhateverOrderTheyComeIn() {
        long lastMinute = Resolution.MINUTE.bucketOf(NOW);
        for (long minute = lastMinute - 4; minute <= lastMinute; minute++) {
            Map<String, Double> requests = new HashMap<>();
            for (int i = 0; i < 2_000; i++) {
                requests.put(String.format("GET /r%04d", i), (double) i);
            }
            // Two members tied with the 20th largest sum (5 × 1,981), one named before it and one after.
            requests.put("GET /r1981-tie", 1_981.0);
            requests.put("GET /r1980-tie", 1_981.0);
            store.redis.zadd(MetricKeys.httpFailures(APIKEY, Resolution.MINUTE, minute), requests);
        }

        List<RequestCount> top = store.reader.pageCosts(APIKEY, MetricWindow.parse("15m"), NOW, 20).httpFailures();

        List<RequestCount> expected = new ArrayList<>();
        for (int i = 1_999; i >= 1_982; i--) {
            expected.add(new RequestCount(String.format("GET /r%04d", i), 5L * i));
        }
        expected.add(new RequestCount("GET /r1980-tie", 5L * 1_981));
        expected.add(new RequestCount("GET /r1981", 5L * 1_981));
        assertThat(top).containsExactlyElementsOf(expected);
    }
}
