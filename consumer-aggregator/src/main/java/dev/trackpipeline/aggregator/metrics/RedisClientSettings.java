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
import redis.clients.jedis.UnifiedJedis;

/** Where Redis is and how to log in, for the counting's connections and the reads' alike. */
public record RedisClientSettings(AggregatorProperties.Redis redis, JedisClientConfig config) {

    /**
     * How often a cluster client asks which node serves which slots. A pipeline does not follow a
     * MOVED answer itself: after a failover, a batch fails as an outage until the client has learnt
     * the new master, so this bounds how long that takes beyond the failover.
     */
    static final Duration CLUSTER_TOPOLOGY_REFRESH = Duration.ofSeconds(1);

    public static RedisClientSettings of(AggregatorProperties properties) {
        AggregatorProperties.Redis redis = properties.redis();
        return new RedisClientSettings(redis, DefaultJedisClientConfig.builder()
                .database(redis.database())
                .password(redis.password() == null || redis.password().isBlank() ? null : redis.password())
                .timeoutMillis(5_000)
                .build());
    }

    /** Connections to the single server, or to every node of the cluster, with the default pool. */
    public UnifiedJedis connect() {
        return connect(new ConnectionPoolConfig());
    }

    /** Connections to the single server, or to every node of the cluster (each node a pool of {@code pool}'s size). */
    public UnifiedJedis connect(GenericObjectPoolConfig<Connection> pool) {
        if (!redis.cluster()) {
            return new JedisPooled(new HostAndPort(redis.host(), redis.port()), config, pool);
        }
        Set<HostAndPort> nodes = new LinkedHashSet<>();
        redis.clusterNodes().forEach(node -> nodes.add(HostAndPort.from(node)));
        return new JedisCluster(nodes, config, pool, CLUSTER_TOPOLOGY_REFRESH, JedisCluster.DEFAULT_MAX_ATTEMPTS,
                Duration.ofSeconds(10));
    }
}
