package dev.trackpipeline.aggregator.metrics;

import dev.trackpipeline.aggregator.AggregatorProperties;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.providers.ClusterConnectionProvider;

/** Where Redis is and how to log in, for the counting's connections and the reads' alike. */
public record RedisClientSettings(AggregatorProperties.Redis redis, JedisClientConfig config) {

    /** How long a command may take to answer, a WAIT for replicas included (plus room for the round trip). */
    static final Duration ANSWER_WITHIN = Duration.ofSeconds(5);
    static final Duration CONNECT_WITHIN = Duration.ofSeconds(2);

    public static RedisClientSettings of(AggregatorProperties properties) {
        AggregatorProperties.Redis redis = properties.redis();
        Duration answerWithin = redis.replicasWithin().plusSeconds(2).compareTo(ANSWER_WITHIN) > 0
                ? redis.replicasWithin().plusSeconds(2) : ANSWER_WITHIN;
        return new RedisClientSettings(redis, DefaultJedisClientConfig.builder()
                .database(redis.database())
                .password(redis.password() == null || redis.password().isBlank() ? null : redis.password())
                // a node that does not answer a connection at once is away: a renewal of the slot
                // map tries every node, so a long wait here would hold each retry for all of them
                .connectionTimeoutMillis((int) CONNECT_WITHIN.toMillis())
                .socketTimeoutMillis((int) answerWithin.toMillis())
                .build());
    }

    /** Connections to the single server, or to every node of the cluster, with the default pool. */
    public RedisConnections.Client connect() {
        return connect(new ConnectionPoolConfig());
    }

    /**
     * Connections to the single server, or to every node of the cluster (each node a pool of
     * {@code pool}'s size). The cluster's slot map is asked of the seed nodes now, so this fails
     * while none answers; it is renewed after a failure ({@link KeyRouting#renew}), and by the
     * cluster client itself when a node answers MOVED.
     */
    public RedisConnections.Client connect(GenericObjectPoolConfig<Connection> pool) {
        if (!redis.cluster()) {
            HostAndPort address = new HostAndPort(redis.host(), redis.port());
            JedisPooled server = new JedisPooled(address, config, pool);
            return new RedisConnections.Client(server, new KeyRouting.OneServer(address, server.getPool()));
        }
        Set<HostAndPort> nodes = new LinkedHashSet<>();
        redis.clusterNodes().forEach(node -> nodes.add(HostAndPort.from(node)));
        ClusterConnectionProvider slots = new ClusterConnectionProvider(nodes, config, pool);
        return new RedisConnections.Client(new JedisCluster(slots, JedisCluster.DEFAULT_MAX_ATTEMPTS, Duration.ofSeconds(10)),
                new KeyRouting.ClusterSlots(slots));
    }
}
