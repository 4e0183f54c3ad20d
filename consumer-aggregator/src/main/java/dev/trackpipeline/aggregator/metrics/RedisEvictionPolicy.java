package dev.trackpipeline.aggregator.metrics;

import dev.trackpipeline.aggregator.AggregatorProperties;
import dev.trackpipeline.runtime.StartRequirement;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Redis must keep every key until it expires: a progress marker or a remembered event id evicted
 * to make room lets a redelivered event be counted twice, and a bucket evicted loses its counts,
 * without a word. Every {@code maxmemory-policy} but {@code noeviction} evicts, the
 * {@code volatile-*} ones too (every key of the aggregator has an expiry). With
 * {@code noeviction}, a full Redis refuses writes ({@code OOM}), which the aggregator waits out as
 * an outage. A managed Redis that hides {@code CONFIG} cannot be asked: then a warning says to
 * check by hand.
 */
public final class RedisEvictionPolicy implements StartRequirement {

    static final String KEEPS_EVERY_KEY = "noeviction";
    private static final String SETTING = "maxmemory-policy";
    private static final Logger log = LoggerFactory.getLogger(RedisEvictionPolicy.class);

    private final JedisPooled redis;
    private final AggregatorProperties.Redis settings;

    public RedisEvictionPolicy(JedisPooled redis, AggregatorProperties.Redis settings) {
        this.redis = redis;
        this.settings = settings;
    }

    @Override
    public String subject() {
        return "Redis's " + SETTING;
    }

    /**
     * Asked with {@code CONFIG GET}, or where that is refused or renamed (managed Redis services
     * hide it, and often default to an evicting policy), read from {@code INFO memory}. A server
     * loading its data, busy or refusing the login has not answered yet: asked again later.
     */
    @Override
    public Optional<String> unmet() throws Unanswered {
        String policy;
        try {
            policy = askedOrRead();
        } catch (JedisDataException e) {
            if (!cannotBeAsked(e)) {
                throw new Unanswered("Redis at " + settings.host() + ":" + settings.port() + " did not answer: " + e.getMessage(), e);
            }
            log.warn("Redis at {}:{} did not tell its {} ({}): make sure it is {}, or redelivered events may be counted twice",
                    settings.host(), settings.port(), SETTING, e.getMessage(), KEEPS_EVERY_KEY);
            return Optional.empty();
        } catch (JedisException e) {
            throw new Unanswered("Redis at " + settings.host() + ":" + settings.port() + " did not answer: " + e.getMessage(), e);
        }
        if (policy == null) {
            log.warn("Redis at {}:{} answered no {}: make sure it is {}, or redelivered events may be counted twice",
                    settings.host(), settings.port(), SETTING, KEEPS_EVERY_KEY);
            return Optional.empty();
        }
        if (KEEPS_EVERY_KEY.equals(policy)) {
            return Optional.empty();
        }
        String evicts = "Redis at " + settings.host() + ":" + settings.port() + " evicts keys when full (" + SETTING + " " + policy
                + "): it could evict the aggregator's progress markers and remembered event ids, and redelivered events would "
                + "be counted twice";
        if (settings.allowEviction()) {
            log.warn("{}; counting anyway, as REDIS_ALLOW_EVICTION (track.aggregator.redis.allow-eviction) allows", evicts);
            return Optional.empty();
        }
        return Optional.of(evicts + ". Set " + SETTING + " " + KEEPS_EVERY_KEY + " (redis-cli CONFIG SET " + SETTING + " "
                + KEEPS_EVERY_KEY + ", and in redis.conf so that it outlasts a restart), or set REDIS_ALLOW_EVICTION=true "
                + "(track.aggregator.redis.allow-eviction) to count anyway");
    }

    private String askedOrRead() {
        try {
            return valueOf(redis.sendCommand(Protocol.Command.CONFIG, "GET", SETTING));
        } catch (JedisDataException e) {
            if (!cannotBeAsked(e)) {
                throw e;
            }
            Object info = redis.sendCommand(Protocol.Command.INFO, "memory");
            String text = info instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(info);
            return text.lines().filter(line -> line.startsWith("maxmemory_policy:")).map(line -> line.substring(line.indexOf(':') + 1).trim())
                    .findFirst().orElse(null);
        }
    }

    /** Refused for want of a right, or a command renamed away: asking again will not help. */
    private static boolean cannotBeAsked(JedisDataException refusal) {
        return RedisOutages.isUnauthorized(refusal)
                || String.valueOf(refusal.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("unknown command");
    }

    /** CONFIG GET answers the names it matched, each followed by its value: none when the server has no such setting. */
    private static String valueOf(Object answer) {
        if (answer instanceof List<?> pairs && pairs.size() >= 2 && pairs.get(1) instanceof byte[] value) {
            return new String(value, StandardCharsets.UTF_8);
        }
        return null;
    }
}
