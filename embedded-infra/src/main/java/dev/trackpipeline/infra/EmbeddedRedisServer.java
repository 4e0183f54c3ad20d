package dev.trackpipeline.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import redis.embedded.RedisServer;
import redis.embedded.core.ExecutableProvider;

/**
 * A real redis-server process (the binary shipped in embedded-redis). The binary is extracted to
 * a directory this class owns and deletes on close; the library's default would leave it in the
 * temp directory.
 */
public final class EmbeddedRedisServer implements AutoCloseable {

    private final RedisServer server;
    private final Path binaryDir;
    private final String host;
    private final int port;

    private EmbeddedRedisServer(RedisServer server, Path binaryDir, String host, int port) {
        this.server = server;
        this.binaryDir = binaryDir;
        this.host = host;
        this.port = port;
    }

    /** Where this server's binary was extracted, and is removed from on close. */
    Path binaryDirectory() {
        return binaryDir;
    }

    /** @param dataDir where Redis keeps an append-only file so metrics survive restarts, or empty for memory only */
    public static EmbeddedRedisServer start(Optional<Path> dataDir, String host, int port) {
        Path binaryDir = null;
        RedisServer server = null;
        RedisLog log = new RedisLog();
        try {
            binaryDir = Files.createTempDirectory("track-redis-bin");
            var builder = RedisServer.newRedisServer()
                    .executableProvider(ExecutableProvider.newJarResourceProvider(binaryDir.toFile()))
                    .soutListener(log::add)
                    .bind(host)
                    .port(port)
                    .setting("save \"\"")
                    .setting("protected-mode no");
            if (dataDir.isPresent()) {
                Files.createDirectories(dataDir.get());
                builder.setting("dir \"" + dataDir.get().toAbsolutePath() + "\"").setting("appendonly yes");
            } else {
                builder.setting("appendonly no");
            }
            server = builder.build();
            server.start();
            // The library keeps its process to itself: found among this JVM's children by its binary, and guarded.
            redisProcesses(binaryDir).forEach(OrphanGuard::watch);
            return new EmbeddedRedisServer(server, binaryDir, host, port);
        } catch (IOException | RuntimeException e) {
            stopStarted(server, binaryDir);
            Optional<String> reason = log.reasonToStop();
            IllegalStateException failure = new IllegalStateException("Redis failed to start on " + host + ":" + port + ": "
                    + reason.orElse(e.getMessage()), e);
            if (dataDir.isPresent() && reason.filter(RedisLog::aboutItsData).isPresent()) {
                throw UnreadableStores.redis(dataDir.get(), reason.get(), failure);
            }
            throw failure;
        } catch (Error e) {
            stopStarted(server, binaryDir);
            throw e;
        }
    }

    /** This JVM's redis-server processes started from {@code binaryDir}. */
    private static java.util.stream.Stream<ProcessHandle> redisProcesses(Path binaryDir) {
        String binary = binaryDir.toString();
        return ProcessHandle.current().children()
                .filter(child -> child.info().command().filter(command -> command.startsWith(binary)).isPresent());
    }

    /**
     * A start that failed after the process was spawned leaves no redis-server behind: the library
     * adds its shutdown hook only after spawning, which fails once the JVM shuts down (Ctrl-C while
     * the infrastructure starts), and nothing else would ever stop that process.
     */
    private static void stopStarted(RedisServer server, Path binaryDir) {
        if (binaryDir == null) {
            return;
        }
        if (server != null) {
            try {
                server.stop();
            } catch (IOException | RuntimeException alreadyGone) {
                // the process is looked for below all the same
            }
        }
        redisProcesses(binaryDir).forEach(ProcessHandle::destroyForcibly);
        Directories.deleteRecursively(binaryDir);
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            Directories.deleteRecursively(binaryDir);
        }
    }
}
