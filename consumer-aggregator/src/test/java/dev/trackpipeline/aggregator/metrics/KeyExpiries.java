package dev.trackpipeline.aggregator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import redis.clients.jedis.JedisPooled;

/**
 * When keys expire, exactly, on a Redis 6.2 (which has no PEXPIRETIME): a key's PTTL read between
 * two readings of Redis's clock, the first taken before the write that set it. In the time of a
 * store whose bucket clock is fixed ({@link #inTimeOf}), the script moved every expiry by Redis's
 * clock minus that fixed time at the write, so the same bounds hold around the fixed time.
 */
public final class KeyExpiries {

    private final JedisPooled redis;
    private final long before;
    /** The store's fixed time, or -1 for Redis's own. */
    private final long fixedMillis;

    private KeyExpiries(JedisPooled redis, long fixedMillis) {
        this.redis = redis;
        this.before = redisMillis(redis);
        this.fixedMillis = fixedMillis;
    }

    /** To be made before the write, for a store that decides expiries by Redis's clock. */
    public static KeyExpiries inRedisTime(JedisPooled redis) {
        return new KeyExpiries(redis, -1);
    }

    /** To be made before the write, for a store whose clock is fixed at {@code storeNow}. */
    public static KeyExpiries inTimeOf(JedisPooled redis, Instant storeNow) {
        return new KeyExpiries(redis, storeNow.toEpochMilli());
    }

    public void assertExpiresAt(String key, Instant expected) {
        long left = redis.pttl(key);
        long after = redisMillis(redis);
        assertThat(left).as("%s's time to live in ms (-2: no such key)", key).isPositive();
        // The write (which read Redis's clock) and the PTTL both came between before and after.
        long earliest = fixedMillis < 0 ? before + left : fixedMillis + left;
        long latest = fixedMillis < 0 ? after + left : fixedMillis + left + (after - before);
        assertThat(expected).as("when %s expires", key).isBetween(Instant.ofEpochMilli(earliest), Instant.ofEpochMilli(latest));
    }

    public static long redisMillis(JedisPooled redis) {
        List<?> time = (List<?>) redis.eval("return redis.call('TIME')");
        return Long.parseLong(String.valueOf(time.get(0))) * 1000 + Long.parseLong(String.valueOf(time.get(1))) / 1000;
    }
}
