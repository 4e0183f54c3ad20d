package dev.trackpipeline.aggregator.query;

import dev.trackpipeline.aggregator.AggregatorProperties;
import dev.trackpipeline.aggregator.metrics.RedisClientSettings;
import dev.trackpipeline.runtime.ApiException;
import java.util.NoSuchElementException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The metrics API's own Redis connections ({@link AggregatorProperties.Reads}). The counting has a
 * pool of its own, so however many dashboards are open, reads can only wait for each other: when
 * every read connection stays taken for longer than the configured wait, the request is answered
 * 503 rather than queued.
 */
@Component
public final class ReadConnections implements AutoCloseable {

    private final JedisPooled redis;

    public ReadConnections(AggregatorProperties properties) {
        RedisClientSettings settings = RedisClientSettings.of(properties);
        ConnectionPoolConfig pool = new ConnectionPoolConfig();
        pool.setMaxTotal(properties.reads().connections());
        pool.setMaxIdle(properties.reads().connections());
        pool.setBlockWhenExhausted(true);
        pool.setMaxWait(properties.reads().maxWait());
        this.redis = new JedisPooled(settings.address(), settings.config(), pool);
    }

    /** A pipeline on a read connection, given back when the pipeline is closed. */
    public AbstractPipeline pipeline() {
        try {
            return redis.pipelined();
        } catch (JedisException e) {
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof NoSuchElementException) {
                    throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE,
                            "too many metric reads at once: every read connection is busy; try again shortly");
                }
            }
            throw e;
        }
    }

    @Override
    public void close() {
        redis.close();
    }
}
