package dev.trackpipeline.infra;

import dev.trackpipeline.model.infra.InfrastructureDefaults;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

/**
 * How to start the embedded infrastructure.
 *
 * @param dataDir    where Kafka's log, the MongoDB-wire store and Redis's append-only file live
 * @param persistent keep data across restarts (local runs) or memory only where possible (tests)
 * @param kafkaPort  the (first) Kafka broker's port; with more than one, see {@link KafkaNode#cluster}
 * @param kafkaBrokers how many Kafka brokers: one in this process, or more, each in its own
 *                   ({@link EmbeddedKafkaCluster})
 * @param redisCluster a Redis Cluster ({@link EmbeddedRedisCluster}: three masters with a replica
 *                     each, on {@link #REDIS_CLUSTER_NODES} ports counted up from {@code redisPort})
 *                     instead of one Redis server
 */
public record InfrastructureSettings(Path dataDir, boolean persistent, String host, int kafkaPort,
                                     int kafkaControllerPort, int mongoPort, int redisPort, ExternalServers external,
                                     int kafkaBrokers, boolean redisCluster) {

    /** The embedded Redis Cluster's nodes: three masters, each with a replica to take its place. */
    public static final int REDIS_CLUSTER_NODES = 6;

    public InfrastructureSettings {
        if (kafkaBrokers < 1) {
            throw new IllegalArgumentException("Kafka brokers: 1 or more, got " + kafkaBrokers);
        }
    }

    /** One Redis server. */
    public InfrastructureSettings(Path dataDir, boolean persistent, String host, int kafkaPort, int kafkaControllerPort, int mongoPort,
                                  int redisPort, ExternalServers external, int kafkaBrokers) {
        this(dataDir, persistent, host, kafkaPort, kafkaControllerPort, mongoPort, redisPort, external, kafkaBrokers, false);
    }

    /** One Kafka broker. */
    public InfrastructureSettings(Path dataDir, boolean persistent, String host, int kafkaPort, int kafkaControllerPort, int mongoPort,
                                  int redisPort, ExternalServers external) {
        this(dataDir, persistent, host, kafkaPort, kafkaControllerPort, mongoPort, redisPort, external, 1, false);
    }

    /** Free ports and throw-away data, so tests run side by side with anything else on the machine. */
    public static InfrastructureSettings forTests(Path dataDir) {
        return new InfrastructureSettings(dataDir, false, InfrastructureDefaults.HOST, FreePorts.one(), FreePorts.one(), FreePorts.one(),
                FreePorts.one(), ExternalServers.none());
    }

    /** The same servers and ports, with data kept across restarts or not. */
    public InfrastructureSettings withPersistence(boolean keepData) {
        return new InfrastructureSettings(dataDir, keepData, host, kafkaPort, kafkaControllerPort, mongoPort, redisPort, external,
                kafkaBrokers, redisCluster);
    }

    /** The same settings, with {@code servers} used instead of starting their embedded counterparts. */
    public InfrastructureSettings withExternal(ExternalServers servers) {
        return new InfrastructureSettings(dataDir, persistent, host, kafkaPort, kafkaControllerPort, mongoPort, redisPort, servers,
                kafkaBrokers, redisCluster);
    }

    /** The same settings with {@code brokers} Kafka brokers, each in a process of its own when more than one. */
    public InfrastructureSettings withKafkaBrokers(int brokers) {
        return new InfrastructureSettings(dataDir, persistent, host, kafkaPort, kafkaControllerPort, mongoPort, redisPort, external, brokers,
                redisCluster);
    }

    /** The same settings with a Redis Cluster on the ports counted up from {@code redisPort}, or one Redis server. */
    public InfrastructureSettings withRedisCluster(boolean cluster) {
        return new InfrastructureSettings(dataDir, persistent, host, kafkaPort, kafkaControllerPort, mongoPort, redisPort, external,
                kafkaBrokers, cluster);
    }

    /** The Redis Cluster's ports, masters first: {@code redisPort} and the ones after it. */
    public List<Integer> redisClusterPorts() {
        return IntStream.range(redisPort, redisPort + REDIS_CLUSTER_NODES).boxed().toList();
    }
}
