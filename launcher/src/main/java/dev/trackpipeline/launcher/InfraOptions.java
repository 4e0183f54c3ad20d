package dev.trackpipeline.launcher;

import dev.trackpipeline.infra.ExternalServers;
import dev.trackpipeline.infra.InfrastructureSettings;
import dev.trackpipeline.model.infra.InfrastructureDefaults;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options shared by {@code local} and {@code infra}; defaults come from {@link InfrastructureDefaults}. */
final class InfraOptions {

    @Option(names = "--data-dir", defaultValue = "${env:TRACK_DATA_DIR:-data}",
            description = "Where Kafka, the MongoDB-wire store and Redis keep their data (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--kafka-port", defaultValue = "${env:TRACK_KAFKA_PORT}", description = "Embedded Kafka's port (default 19092).")
    Integer kafkaPort;

    @Option(names = "--kafka-controller-port", defaultValue = "${env:TRACK_KAFKA_CONTROLLER_PORT}",
            description = "Embedded Kafka's KRaft controller port (default 19093).")
    Integer kafkaControllerPort;

    @Option(names = "--kafka-brokers", defaultValue = "${env:TRACK_KAFKA_BROKERS:-1}",
            description = "How many Kafka brokers (KRaft, each also a controller): 1 runs in this process; more run each in a process "
                    + "of its own, on ports counted up in twos from --kafka-port and --kafka-controller-port, and from 3 the services' "
                    + "topics keep 3 copies, 2 in sync (default: ${DEFAULT-VALUE}).")
    int kafkaBrokers;

    @Option(names = "--mongo-port", defaultValue = "${env:TRACK_MONGO_PORT}", description = "Embedded MongoDB-wire server's port (default 27117).")
    Integer mongoPort;

    @Option(names = "--redis-port", defaultValue = "${env:TRACK_REDIS_PORT}", description = "Embedded Redis's port (default 16379).")
    Integer redisPort;

    @Option(names = "--redis-cluster", defaultValue = "${env:TRACK_REDIS_CLUSTER:-false}",
            description = "A Redis Cluster instead of one Redis: three masters with a replica each, on the six ports from --redis-port "
                    + "(and their cluster bus ports, 10000 above), formed anew at each start (its data are not kept); the aggregator "
                    + "waits for a replica to hold each batch (default: ${DEFAULT-VALUE}).")
    boolean redisCluster;

    InfrastructureSettings settings() {
        requirePort("--kafka-port", "TRACK_KAFKA_PORT", kafkaPort);
        requirePort("--kafka-controller-port", "TRACK_KAFKA_CONTROLLER_PORT", kafkaControllerPort);
        requirePort("--mongo-port", "TRACK_MONGO_PORT", mongoPort);
        requirePort("--redis-port", "TRACK_REDIS_PORT", redisPort);
        if (kafkaBrokers < 1) {
            throw new StartupFailure("--kafka-brokers (TRACK_KAFKA_BROKERS): expected 1 or more, got " + kafkaBrokers);
        }
        InfrastructureSettings settings = new InfrastructureSettings(dataDir, true, InfrastructureDefaults.HOST,
                or(kafkaPort, InfrastructureDefaults.KAFKA_PORT), or(kafkaControllerPort, InfrastructureDefaults.KAFKA_CONTROLLER_PORT),
                or(mongoPort, InfrastructureDefaults.MONGO_PORT), or(redisPort, InfrastructureDefaults.REDIS_PORT),
                ExternalServers.fromEnvironment(System.getenv()), kafkaBrokers, redisCluster);
        // The ports counted up from those given: every broker's two, and a cluster's six nodes with their bus ports.
        int lastBroker = 2 * (kafkaBrokers - 1);
        requirePort("--kafka-port", "TRACK_KAFKA_PORT", settings.kafkaPort() + lastBroker, kafkaBrokers + " brokers' ports from it");
        requirePort("--kafka-controller-port", "TRACK_KAFKA_CONTROLLER_PORT", settings.kafkaControllerPort() + lastBroker,
                kafkaBrokers + " brokers' ports from it");
        if (redisCluster) {
            int highest = settings.redisClusterPorts().stream().mapToInt(Integer::intValue).max().orElse(settings.redisPort())
                    + dev.trackpipeline.infra.EmbeddedRedisCluster.BUS_PORT_OFFSET;
            requirePort("--redis-port", "TRACK_REDIS_PORT", highest, "a Redis Cluster's nodes and their bus ports from it");
        }
        return settings;
    }

    /** A port a server can listen on, or a line naming the option and variable it came from. */
    static void requirePort(String option, String variable, Integer port) {
        if (port != null && (port < 1 || port > 65535)) {
            throw new StartupFailure(option + " (" + variable + "): expected a port from 1 to 65535, got " + port);
        }
    }

    /** As {@link #requirePort(String, String, Integer)}, for a port counted up from the one given ({@code counted}). */
    private static void requirePort(String option, String variable, int port, String counted) {
        if (port > 65535) {
            throw new StartupFailure(option + " (" + variable + "): too high for " + counted + ", which reach " + port
                    + "; ports end at 65535");
        }
    }

    private static int or(Integer given, int fallback) {
        return given == null ? fallback : given;
    }
}
