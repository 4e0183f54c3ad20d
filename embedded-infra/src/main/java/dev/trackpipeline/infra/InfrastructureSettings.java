package dev.trackpipeline.infra;

import dev.trackpipeline.model.infra.InfrastructureDefaults;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;

/**
 * How to start the embedded infrastructure.
 *
 * @param dataDir    where Kafka's log, the MongoDB-wire store and Redis's append-only file live
 * @param persistent keep data across restarts (local runs) or memory only where possible (tests)
 */
public record InfrastructureSettings(Path dataDir, boolean persistent, String host, int kafkaPort,
                                     int kafkaControllerPort, int mongoPort, int redisPort, ExternalServers external) {


    /** Free ports and throw-away data, so tests run side by side with anything else on the machine. */
    public static InfrastructureSettings forTests(Path dataDir) {
        return new InfrastructureSettings(dataDir, false, InfrastructureDefaults.HOST, freePort(), freePort(), freePort(),
                freePort(), ExternalServers.none());
    }

    /** The same servers and ports, with data kept across restarts or not. */
    public InfrastructureSettings withPersistence(boolean keepData) {
        return new InfrastructureSettings(dataDir, keepData, host, kafkaPort, kafkaControllerPort, mongoPort, redisPort, external);
    }

    /** The same settings, with {@code servers} used instead of starting their embedded counterparts. */
    public InfrastructureSettings withExternal(ExternalServers servers) {
        return new InfrastructureSettings(dataDir, persistent, host, kafkaPort, kafkaControllerPort, mongoPort, redisPort, servers);
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }
}
