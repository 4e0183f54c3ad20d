package dev.trackpipeline.aggregator.metrics;

import dev.trackpipeline.aggregator.AggregatorProperties;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;

/** Where Redis is and how to log in, for the counting's connections and the reads' alike. */
public record RedisClientSettings(HostAndPort address, JedisClientConfig config) {

    public static RedisClientSettings of(AggregatorProperties properties) {
        AggregatorProperties.Redis redis = properties.redis();
        return new RedisClientSettings(new HostAndPort(redis.host(), redis.port()), DefaultJedisClientConfig.builder()
                .database(redis.database())
                .password(redis.password() == null || redis.password().isBlank() ? null : redis.password())
                .timeoutMillis(5_000)
                .build());
    }
}
