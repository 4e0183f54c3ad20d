package dev.trackpipeline.infra;

import java.util.Optional;

/** How to reach a Redis server, in the seed server's own terms (REDIS_HOST, REDIS_PORT, REDIS_PASSWORD, REDIS_DB). */
public record RedisAddress(String host, int port, Optional<String> password, int database) {

    @Override
    public String toString() {
        return "redis://" + host + ":" + port + "/" + database;
    }
}
