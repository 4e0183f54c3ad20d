package dev.trackpipeline.aggregator.query;

import dev.trackpipeline.aggregator.metrics.MetricKeys;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.stereotype.Component;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.Response;

/** Reads a window's buckets in one pipeline and adds them up. */
@Component
public class MetricsReader {

    private final JedisPooled redis;

    public MetricsReader(JedisPooled redis) {
        this.redis = redis;
    }

    public Overview overview(String apikey, MetricWindow window, Instant now) {
        List<Long> buckets = window.buckets(now);
        Map<String, Long> totals = new TreeMap<>();
        List<String> sessionKeys = new ArrayList<>();
        try (var pipeline = redis.pipelined()) {
            List<Response<Map<String, String>>> responses = new ArrayList<>();
            for (long bucket : buckets) {
                responses.add(pipeline.hgetAll(MetricKeys.counters(apikey, window.resolution(), bucket)));
                sessionKeys.add(MetricKeys.sessions(apikey, window.resolution(), bucket));
            }
            pipeline.sync();
            responses.forEach(response -> response.get().forEach((field, value) -> totals.merge(field, Long.parseLong(value), Long::sum)));
        }
        long sessions = redis.pfcount(sessionKeys.toArray(String[]::new));

        long events = totals.getOrDefault("events", 0L);
        long errors = totals.getOrDefault("errors", 0L);
        long checks = totals.getOrDefault("type:whiteScreen", 0L);
        long blank = totals.getOrDefault("whiteScreen:blank", 0L);
        long from = buckets.get(0) * window.resolution().length().toMillis();
        long to = (buckets.get(buckets.size() - 1) + 1) * window.resolution().length().toMillis();
        return new Overview(apikey, window.text(), from, to, events, prefixed(totals, "type:"), prefixed(totals, "status:"),
                errors, ratio(errors, events), sessions, checks, blank, ratio(blank, checks));
    }

    private static Map<String, Long> prefixed(Map<String, Long> totals, String prefix) {
        Map<String, Long> selected = new TreeMap<>();
        totals.forEach((field, value) -> {
            if (field.startsWith(prefix)) {
                selected.put(field.substring(prefix.length()), value);
            }
        });
        return selected;
    }

    private static double ratio(long part, long whole) {
        return whole == 0 ? 0.0 : (double) part / whole;
    }
}
