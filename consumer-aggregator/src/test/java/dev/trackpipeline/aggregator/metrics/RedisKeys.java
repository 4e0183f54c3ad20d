package dev.trackpipeline.aggregator.metrics;

import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.params.ScanParams;

/** The keys a test's Redis holds, found with SCAN as an operator would (KEYS blocks the server). */
public final class RedisKeys {

    private RedisKeys() {
    }

    public static List<String> matching(JedisPooled redis, String pattern) {
        List<String> keys = new ArrayList<>();
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
            var page = redis.scan(cursor, new ScanParams().match(pattern).count(1000));
            keys.addAll(page.getResult());
            cursor = page.getCursor();
        } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        return keys;
    }
}
