package dev.trackpipeline.aggregator.metrics;

import dev.trackpipeline.aggregator.AggregatorProperties;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisPooled;

@Configuration(proxyBeanMethods = false)
class RedisConfiguration {

    @Bean(destroyMethod = "close")
    JedisPooled redis(AggregatorProperties properties) {
        AggregatorProperties.Redis redis = properties.redis();
        var config = DefaultJedisClientConfig.builder()
                .database(redis.database())
                .password(redis.password() == null || redis.password().isBlank() ? null : redis.password())
                .timeoutMillis(5_000)
                .build();
        return new JedisPooled(new HostAndPort(redis.host(), redis.port()), config);
    }

    @Bean
    AbstractHealthIndicator redisPingHealthIndicator(JedisPooled redis) {
        return new AbstractHealthIndicator("Redis ping failed") {
            @Override
            protected void doHealthCheck(Health.Builder builder) {
                builder.status("PONG".equals(redis.ping()) ? "UP" : "DOWN");
            }
        };
    }
}
