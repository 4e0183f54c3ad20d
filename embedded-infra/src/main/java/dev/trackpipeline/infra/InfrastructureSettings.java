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
 * @param kafkaPort  the (first) Kafka broker's port; with more than one, see {@link KafkaNode#cluster}
 * @param kafkaBrokers how many Kafka brokers: one in this process, or more, each in its own
 *                   ({@link EmbeddedKafkaCluster})
 */
public record InfrastructureSettings(Path dataDir, boolean persistent, String host, int kafkaPort,
                                     int kafkaControllerPort, int mongoPort, int redisPort, ExternalServers external,
                                     int kafkaBrokers) {

    public InfrastructureSettings {
        if (kafkaBrokers < 1) {
            throw new IllegalArgumentException("Kafka brokers: 1 or more, got " + kafkaBrokers);
        }
    }

    /** One Kafka broker. */
    public InfrastructureSettings(Path dataDir, boolean persistent, String host, int kafkaPort, int kafkaControllerPort, int mongoPort,
                                  int redisPort, ExternalServers external) {
        this(dataDir, persistent, host, kafkaPort, kafkaControllerPort, mongoPort, redisPort, external, 1);
    }

    /** Free ports and throw-away data, so tests run side by side with anything else on the machine. */
    public static InfrastructureSettings forTests(Path dataDir) {
        return new InfrastructureSettings(dataDir, false, InfrastructureDefaults.HOST, freePort(), freePort(), freePort(),
                freePort(), ExternalServers.none());
    }

    /** The same servers and ports, with data kept across restarts or not. */
    public InfrastructureSettings withPersistence(boolean keepData) {
        return new InfrastructureSettings(dataDir, keepData, host, kafkaPort, kafkaControllerPort, mongoPort, redisPort, external,
                kafkaBrokers);
    }

    /** The same settings, with {@code servers} used instead of starting their embedded counterparts. */
    public InfrastructureSettings withExternal(ExternalServers servers) {
        return new InfrastructureSettings(dataDir, persistent, host, kafkaPort, kafkaControllerPort, mongoPort, redisPort, servers,
                kafkaBrokers);
    }

    /** The same settings with {@code brokers} Kafka brokers, each in a process of its own when more than one. */
    public InfrastructureSettings withKafkaBrokers(int brokers) {
        return new InfrastructureSettings(dataDir, persistent, host, kafkaPort, kafkaControllerPort, mongoPort, redisPort, external, brokers);
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
