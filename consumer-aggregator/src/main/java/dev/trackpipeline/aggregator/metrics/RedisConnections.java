package dev.trackpipeline.aggregator.metrics;

import java.util.function.Supplier;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * The aggregator's Redis client, made on first use and again after a failed try. A Redis Cluster
 * client asks a node which nodes serve which slots as it is made, and fails when none answers;
 * the aggregator starts while Redis is away and waits it out as an outage, so its client is made
 * when Redis is first needed. The failure of a try is thrown to the caller, as a failing command
 * would be.
 */
public final class RedisConnections implements AutoCloseable {

    /** A client for single commands and pipelines, and the way to each key's node for the counting. */
    public record Client(UnifiedJedis commands, KeyRouting routing) {
    }

    private final Supplier<Client> connect;
    private volatile Client client;
    private boolean closed;

    private RedisConnections(Supplier<Client> connect, Client client) {
        this.connect = connect;
        this.client = client;
    }

    /** Made on first use by {@code connect}. */
    public static RedisConnections onFirstUse(Supplier<Client> connect) {
        return new RedisConnections(connect, null);
    }

    /** One server's client, made already (its pool connects on demand): what tests of a single Redis pass. */
    public static RedisConnections of(JedisPooled server) {
        // the pool knows its server's address, not this: the name shows only in the tests' messages
        Client made = new Client(server, new KeyRouting.OneServer(new HostAndPort("redis", 0), server.getPool()));
        return new RedisConnections(() -> made, made);
    }

    /** The client for single commands and pipelines. */
    public UnifiedJedis client() {
        return made().commands();
    }

    /** The way to each key's node. */
    public KeyRouting routing() {
        return made().routing();
    }

    private Client made() {
        Client made = client;
        if (made != null) {
            return made;
        }
        synchronized (this) {
            if (closed) {
                // an outage to whoever asks, never a reason to set records aside
                throw new JedisConnectionException("the Redis client is closed: the aggregator is stopping");
            }
            if (client == null) {
                client = connect.get();
            }
            return client;
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (client != null) {
            client.commands().close();
            client = null;
        }
    }
}
