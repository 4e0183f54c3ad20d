package dev.trackpipeline.aggregator.metrics;

import dev.trackpipeline.aggregator.AggregatorProperties;
import dev.trackpipeline.runtime.StartRequirementCheck;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class RedisConfiguration {

    /** The counting's connections; the metrics API reads with its own ({@code ReadConnections}). */
    @Bean(destroyMethod = "close")
    RedisConnections redis(AggregatorProperties properties) {
        RedisClientSettings settings = RedisClientSettings.of(properties);
        return RedisConnections.onFirstUse(settings::connect);
    }

    /** Before the first record is counted: a Redis that evicts keys cannot keep the counts exact. */
    @Bean
    StartRequirementCheck redisEvictionPolicyCheck(AggregatorProperties properties, ConfigurableApplicationContext context) {
        return StartRequirementCheck.of(new RedisEvictionPolicy(RedisClientSettings.of(properties)), context);
    }

    /** Before the first record is counted: a master with fewer replicas than REDIS_WAIT_REPLICAS asks for would fail every batch. */
    @Bean
    StartRequirementCheck redisReplicasCheck(AggregatorProperties properties, ConfigurableApplicationContext context) {
        return StartRequirementCheck.of(new RedisReplicas(RedisClientSettings.of(properties)), context);
    }

    @Bean
    AbstractHealthIndicator redisPingHealthIndicator(RedisConnections redis) {
        return new AbstractHealthIndicator("Redis ping failed") {
            @Override
            protected void doHealthCheck(Health.Builder builder) {
                builder.status("PONG".equals(redis.client().ping()) ? "UP" : "DOWN");
            }
        };
    }
}
