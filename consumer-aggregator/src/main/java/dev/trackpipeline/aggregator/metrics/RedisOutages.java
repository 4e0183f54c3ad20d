package dev.trackpipeline.aggregator.metrics;

import dev.trackpipeline.runtime.StoreOutages;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
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
 * server too old for the script's commands, replicas that did not acknowledge a batch's writes.
 * The aggregator waits these out; anything else is about its records.
 */
@Component
public class RedisOutages implements StoreOutages {

    /** Error prefixes of a server that cannot take writes now (Redis's own error codes). */
    private static final List<String> UNAVAILABLE_ERRORS = List.of("LOADING", "BUSY", "READONLY", "MASTERDOWN", "CLUSTERDOWN",
            "TRYAGAIN", "OOM", "MISCONF", "NOREPLICAS", "NOAUTH", "WRONGPASS", "NOPERM", "MOVED", "ASK", "NOSCRIPT", "CROSSSLOT");

    /** Long enough to look at after a failure, short enough never to count as the aggregator's state. */
    private static final Duration PROBE_EXPIRY = Duration.ofMinutes(1);
    private static final Logger log = LoggerFactory.getLogger(RedisOutages.class);

    private final RedisConnections redis;
    private final String probe = RedisScripts.load("/redis/rights-probe.lua");

    @Autowired
    public RedisOutages(RedisConnections redis) {
        this.redis = redis;
    }

    public RedisOutages(JedisPooled redis) {
        this(RedisConnections.of(redis));
    }

    @Override
    public boolean isOutage(Throwable failure) {
        return StoreOutages.anyCause(failure, RedisOutages::isUnavailable);
    }

    /**
     * Runs {@code rights-probe.lua}: every command the aggregator sends Redis (its scripts' and the
     * metrics API's reads), once, on probe keys of its own, leaving one hash with a short expiry
     * ({@link MetricKeys#writeProbe}). A write, so a server that answers PING but takes no writes
     * (read-only replica, out of memory, unable to persist, rights revoked) says so; and every
     * command, so an ACL lacking one (TIME, PEXPIREAT...) is named now rather than failing every
     * batch while an HSET passes.
     */
    @Override
    public boolean takesWrites() {
        String key = MetricKeys.writeProbe();
        try {
            List<?> refused = (List<?>) redis.client().eval(probe, List.of(key, key + ":zset", key + ":set", key + ":hll"),
                    List.of(String.valueOf(PROBE_EXPIRY.toSeconds())));
            if (refused.isEmpty()) {
                return true;
            }
            List<String> commands = new ArrayList<>();
            for (int i = 0; i + 1 < refused.size(); i += 2) {
                commands.add(String.valueOf(refused.get(i)));
            }
            log.error("Redis refused the aggregator's user {} for want of a right ({}): grant it every command in the Redis row of "
                    + "the rights table in docs/dead-letters.md on the keys track:*; until it has them, every batch fails and the "
                    + "aggregator waits as for an outage", String.join(", ", commands), refused.get(1));
            return false;
        } catch (RuntimeException e) {
            if (StoreOutages.anyCause(e, RedisOutages::isUnauthorized)) {
                log.error("Redis refused the write probe for want of a right ({}): the aggregator's user needs EVAL and every command "
                        + "in the Redis row of the rights table in docs/dead-letters.md on the keys track:*; until it has them, every "
                        + "batch fails and the aggregator waits as for an outage", e.getMessage());
            } else {
                log.warn("Redis did not take a probe write to {}: {}: {}", key, e.getClass().getSimpleName(), e.getMessage());
            }
            return false;
        }
    }

    /** Whether Redis refused a command for want of a right: NOPERM, an ACL that does not allow the command or key. */
    static boolean isUnauthorized(Throwable failure) {
        return (failure instanceof JedisAccessControlException || failure instanceof JedisDataException)
                && failure.getMessage() != null && (failure.getMessage().startsWith("NOPERM") || deniedInScript(failure.getMessage()));
    }

    /** Redis 6.2's words for a command or key its ACL refuses within a script (7 says NOPERM there too). */
    private static boolean deniedInScript(String error) {
        return error.contains("The user executing the script can't");
    }

    private static boolean isUnavailable(Throwable failure) {
        if (failure instanceof ReplicasBehindException || failure instanceof JedisConnectionException || failure instanceof JedisBusyException
                || failure instanceof JedisAccessControlException || failure instanceof JedisClusterOperationException) {
            return true;
        }
        if (failure instanceof JedisDataException data && data.getMessage() != null) {
            String error = data.getMessage();
            // Rights revoked fail every batch alike, as NOPERM does: wait for them to be granted.
            if (deniedInScript(error)) {
                return true;
            }
            // A Redis too old for the script (SMISMEMBER needs 6.2) fails every batch alike: wait for an upgrade.
            if (error.toLowerCase(java.util.Locale.ROOT).contains("unknown redis command")
                    || error.toLowerCase(java.util.Locale.ROOT).contains("unknown command")) {
                return true;
            }
            return UNAVAILABLE_ERRORS.stream().anyMatch(code -> error.startsWith(code + " ") || error.equals(code)
                    || error.contains("-" + code + " ") || error.contains(": " + code + " "));
        }
        // Jedis wraps "could not get a resource from the pool" in a plain JedisException: the pool
        // exhausted (NoSuchElementException), or closed under it when a cluster's slot map is
        // renewed during a failover (IllegalStateException): the store is away either way.
        return failure instanceof JedisException && (failure.getCause() instanceof java.util.NoSuchElementException
                || String.valueOf(failure.getMessage()).startsWith("Could not get a resource from the pool"));
    }
}
