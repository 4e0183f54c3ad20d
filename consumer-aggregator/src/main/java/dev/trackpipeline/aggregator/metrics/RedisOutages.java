package dev.trackpipeline.aggregator.metrics;

import dev.trackpipeline.runtime.StoreOutages;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisBusyException;
import redis.clients.jedis.exceptions.JedisClusterOperationException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * What counts as Redis being away rather than refusing what was written: no connection or pool,
 * a timeout, a server loading its data set, busy with a script, read-only after a failover, out
 * of memory, unable to persist, a cluster without a master for a slot, credentials refused, a
 * server too old for the script's commands. The aggregator waits these out; anything else is
 * about its records.
 */
@Component
public class RedisOutages implements StoreOutages {

    /** Error prefixes of a server that cannot take writes now (Redis's own error codes). */
    private static final List<String> UNAVAILABLE_ERRORS = List.of("LOADING", "BUSY", "READONLY", "MASTERDOWN", "CLUSTERDOWN",
            "TRYAGAIN", "OOM", "MISCONF", "NOREPLICAS", "NOAUTH", "WRONGPASS", "NOPERM", "MOVED", "ASK", "NOSCRIPT", "CROSSSLOT");

    /** Long enough to look at after a failure, short enough never to count as the aggregator's state. */
    private static final Duration PROBE_EXPIRY = Duration.ofMinutes(1);
    private static final Logger log = LoggerFactory.getLogger(RedisOutages.class);

    private final JedisPooled redis;

    public RedisOutages(JedisPooled redis) {
        this.redis = redis;
    }

    @Override
    public boolean isOutage(Throwable failure) {
        return StoreOutages.anyCause(failure, RedisOutages::isUnavailable);
    }

    /**
     * Writes one field of one hash with a short expiry ({@link MetricKeys#writeProbe}): HSET and
     * EXPIRE, commands the aggregator's script needs anyway, so an ACL that runs the aggregator lets
     * the probe through. A write, so a server that answers PING but takes no writes (read-only
     * replica, out of memory, unable to persist, rights revoked) says so.
     */
    @Override
    public boolean takesWrites() {
        String key = MetricKeys.writeProbe();
        try {
            redis.hset(key, "at", String.valueOf(System.currentTimeMillis()));
            redis.expire(key, PROBE_EXPIRY.toSeconds());
            return true;
        } catch (RuntimeException e) {
            if (StoreOutages.anyCause(e, RedisOutages::isUnauthorized)) {
                log.error("Redis refused the write probe for want of a right ({}): the aggregator's user needs HSET and EXPIRE on "
                        + "the keys track:* as its script does (docs/dead-letters.md); until it has them, the first record that fails "
                        + "alone halts the aggregator as an outage", e.getMessage());
            } else {
                log.warn("Redis did not take a probe write to {}: {}: {}", key, e.getClass().getSimpleName(), e.getMessage());
            }
            return false;
        }
    }

    /** Whether Redis refused a command for want of a right: NOPERM, an ACL that does not allow the command or key. */
    static boolean isUnauthorized(Throwable failure) {
        return (failure instanceof JedisAccessControlException || failure instanceof JedisDataException)
                && failure.getMessage() != null && failure.getMessage().startsWith("NOPERM");
    }

    private static boolean isUnavailable(Throwable failure) {
        if (failure instanceof JedisConnectionException || failure instanceof JedisBusyException
                || failure instanceof JedisAccessControlException || failure instanceof JedisClusterOperationException) {
            return true;
        }
        if (failure instanceof JedisDataException data && data.getMessage() != null) {
            String error = data.getMessage();
            // A Redis too old for the script (SMISMEMBER needs 6.2) fails every batch alike: wait for an upgrade.
            if (error.toLowerCase(java.util.Locale.ROOT).contains("unknown redis command")
                    || error.toLowerCase(java.util.Locale.ROOT).contains("unknown command")) {
                return true;
            }
            return UNAVAILABLE_ERRORS.stream().anyMatch(code -> error.startsWith(code + " ") || error.equals(code)
                    || error.contains("-" + code + " ") || error.contains(": " + code + " "));
        }
        // Jedis wraps "could not get a resource from the pool" in a plain JedisException.
        return failure instanceof JedisException && failure.getCause() instanceof java.util.NoSuchElementException;
    }
}
