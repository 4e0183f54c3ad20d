package dev.trackpipeline.aggregator.metrics;

import java.util.function.Supplier;
import redis.clients.jedis.UnifiedJedis;

/**
 * A Redis client made on first use, and again after a failed try. A Redis Cluster client asks a
 * node which nodes serve which slots as it is made, and fails when none answers; the aggregator
 * starts while Redis is away and waits it out as an outage, so its client is made when Redis is
 * first needed. The failure of a try is thrown to the caller, as a command failing would be.
 */
public final class RedisConnections implements AutoCloseable {

    private final Supplier<UnifiedJedis> connect;
    private volatile UnifiedJedis client;

    private RedisConnections(Supplier<UnifiedJedis> connect, UnifiedJedis client) {
        this.connect = connect;
        this.client = client;
    }

    /** Made on first use by {@code connect}. */
    public static RedisConnections onFirstUse(Supplier<UnifiedJedis> connect) {
        return new RedisConnections(connect, null);
    }

    /** A client made already (a single server's, whose pool connects on demand): what tests pass. */
    public static RedisConnections of(UnifiedJedis client) {
        return new RedisConnections(() -> client, client);
    }

    public UnifiedJedis client() {
        UnifiedJedis made = client;
        if (made == null) {
            synchronized (this) {
                made = client;
                if (made == null) {
                    made = connect.get();
                    client = made;
                }
            }
        }
        return made;
    }

    @Override
    public synchronized void close() {
        if (client != null) {
            client.close();
        }
    }
}
