package dev.trackpipeline.aggregator.query;

import dev.trackpipeline.aggregator.AggregatorProperties;
import dev.trackpipeline.aggregator.metrics.RedisClientSettings;
import dev.trackpipeline.aggregator.metrics.KeyRouting;
import dev.trackpipeline.aggregator.metrics.MetricKeys;
import dev.trackpipeline.aggregator.metrics.RedisConnections;
import dev.trackpipeline.runtime.ApiException;
import dev.trackpipeline.runtime.ProjectReadShares;
import java.util.NoSuchElementException;
import java.util.function.Function;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The metrics API's own Redis connections ({@link AggregatorProperties.Reads}). The counting has a
 * pool of its own, so however many dashboards are open, reads can only wait for each other: when
 * every read connection stays taken for longer than the configured wait, the request is answered
 * 503 rather than queued. One project holds at most every connection but one
 * ({@link ProjectReadShares}), so that a project whose reads are slow (filled on purpose through its
 * public apikey, say) cannot keep every other project's dashboards waiting.
 */
@Component
public final class ReadConnections implements AutoCloseable {

    private final RedisConnections redis;
    private final ProjectReadShares shares;

    public ReadConnections(AggregatorProperties properties) {
        this.shares = new ProjectReadShares(properties.reads().connections(), properties.reads().maxWait(),
                "track.aggregator.reads.connections");
        RedisClientSettings settings = RedisClientSettings.of(properties);
        ConnectionPoolConfig pool = new ConnectionPoolConfig();
        pool.setMaxTotal(properties.reads().connections());
        pool.setMaxIdle(properties.reads().connections());
        pool.setBlockWhenExhausted(true);
        pool.setMaxWait(properties.reads().maxWait());
        this.redis = RedisConnections.onFirstUse(() -> settings.connect(pool));
    }

    /**
     * Reads for {@code apikey}, a project whose read token the caller has shown, on a pipeline of a
     * read connection of its share, to the node that holds the project's keys (all in its slot).
     */
    public <T> T read(String apikey, Function<AbstractPipeline, T> read) {
        return shares.read(apikey, () -> {
            KeyRouting routing = redis.routing();
            try (AbstractPipeline pipeline = pipeline(routing, MetricKeys.slotOf(apikey))) {
                return read.apply(pipeline);
            } catch (JedisException e) {
                // a node away or slots moved: the next read asks the cluster where they are now
                KeyRouting.renewAfter(routing, e);
                throw e;
            }
        });
    }

    /** A pipeline on a read connection to the node that serves {@code key}, given back when the pipeline is closed. */
    AbstractPipeline pipeline(KeyRouting routing, String key) {
        try {
            return new Pipeline(routing.connectionTo(routing.nodeOf(key)), true);
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

    /** A pipeline to the node of a project's keys. */
    AbstractPipeline pipeline(String apikey) {
        return pipeline(redis.routing(), MetricKeys.slotOf(apikey));
    }

    @Override
    public void close() {
        redis.close();
    }
}
