package dev.trackpipeline.infra;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.trackpipeline.model.infra.InfrastructureDefaults;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A MongoDB-wire-compatible server (mongo-java-server), reached by the real MongoDB driver over
 * TCP. A stand-in: there is no mongod on these machines. It accepts but does not enforce TTL and
 * secondary indexes, and has no transactions; production runs real MongoDB.
 */
public final class EmbeddedMongoServer implements AutoCloseable {

    private final MongoServer server;
    private final MongoBackend backend;
    private final String uri;

    private EmbeddedMongoServer(MongoServer server, MongoBackend backend, String uri) {
        this.server = server;
        this.backend = backend;
        this.uri = uri;
    }

    /** @param storeFile an H2 file so data survives restarts and process kills, or empty for memory only */
    public static EmbeddedMongoServer start(Optional<Path> storeFile, String host, int port) {
        MongoBackend backend = storeFile.map(EmbeddedMongoServer::fileBackend).orElseGet(MemoryBackend::new);
        MongoServer server = new MongoServer(backend);
        try {
            server.bind(host, port);
        } catch (Exception e) { // Netty throws a BindException its signature does not declare
            server.shutdownNow();
            throw new IllegalStateException("MongoDB-wire server failed to start on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        return new EmbeddedMongoServer(server, backend, "mongodb://" + host + ":" + port + "/" + InfrastructureDefaults.MONGO_DATABASE);
    }

    private static MongoBackend fileBackend(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + file.getParent(), e);
        }
        return CommitBeforeReplyH2Backend.open(file.toAbsolutePath());
    }

    public String uri() {
        return uri;
    }

    /** For tests that reach into the store. */
    MongoBackend backend() {
        return backend;
    }

    @Override
    public void close() {
        server.shutdown();
    }
}
