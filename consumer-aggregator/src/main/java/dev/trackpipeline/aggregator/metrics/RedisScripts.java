package dev.trackpipeline.aggregator.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** The Lua scripts the aggregator sends Redis, read from its resources ({@code /redis/...}). */
public final class RedisScripts {

    private RedisScripts() {
    }

    public static String load(String resource) {
        try (InputStream in = RedisScripts.class.getResourceAsStream(resource)) {
            return new String(Objects.requireNonNull(in, resource).readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
