package dev.trackpipeline.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded redis-server keeps its append-only file where it is told, whatever the path holds. */
class EmbeddedRedisServerTest {

    @TempDir
    Path dir;

    @Test
    void keepsItsDataInADirectoryWhosePathHasASpace() {
        Path data = dir.resolve("my data");

        try (EmbeddedRedisServer redis = EmbeddedRedisServer.start(Optional.of(data), "127.0.0.1", FreePorts.one())) {
            assertThat(redis.port()).isPositive();
        }

        assertThat(data).isDirectoryContaining(path -> path.getFileName().toString().startsWith("appendonly"));
    }
}
