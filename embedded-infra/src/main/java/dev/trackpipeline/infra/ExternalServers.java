package dev.trackpipeline.infra;

import java.util.Map;
import java.util.Optional;

/**
 * The servers a user pointed the pipeline at, read from the environment with the seed server's
 * names. Each one given replaces its embedded stand-in.
 */
public record ExternalServers(Optional<String> kafkaBootstrapServers, Optional<String> mongoUri, Optional<RedisAddress> redis) {

    public static ExternalServers none() {
        return new ExternalServers(Optional.empty(), Optional.empty(), Optional.empty());
    }

    public static ExternalServers fromEnvironment(Map<String, String> env) {
        Optional<String> redisHost = nonBlank(env, "REDIS_HOST");
        Optional<String> redisPort = nonBlank(env, "REDIS_PORT");
        Optional<RedisAddress> redis = redisHost.isPresent() || redisPort.isPresent()
                ? Optional.of(new RedisAddress(redisHost.orElse("127.0.0.1"), parsePort(redisPort.orElse("6379")),
                        nonBlank(env, "REDIS_PASSWORD"), Integer.parseInt(nonBlank(env, "REDIS_DB").orElse("0"))))
                : Optional.empty();
        return new ExternalServers(nonBlank(env, "KAFKA_BOOTSTRAP_SERVERS"), nonBlank(env, "MONGODB_URI"), redis);
    }

    private static int parsePort(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("REDIS_PORT: expected a port number, got \"" + text + "\"");
        }
    }

    private static Optional<String> nonBlank(Map<String, String> env, String name) {
        return Optional.ofNullable(env.get(name)).filter(value -> !value.isBlank());
    }
}
