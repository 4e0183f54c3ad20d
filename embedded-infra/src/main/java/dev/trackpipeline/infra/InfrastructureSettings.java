package dev.trackpipeline.infra;

import dev.trackpipeline.model.infra.InfrastructureDefaults;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Collection;
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
        return new InfrastructureSettings(dataDir, false, InfrastructureDefaults.HOST, freePort(), freePort(), freePort(),
                freePort(), ExternalServers.none());
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

    /**
     * The first of {@code count} ports in a row that are free now, none of them in {@code taken}
     * (ports chosen for servers not started yet): for a cluster whose nodes count their ports up.
     */
    public static int freePortsInARow(int count, Collection<Integer> taken) {
        return freePortsInARow(count, taken, 0);
    }

    /**
     * Ports for a Redis Cluster of {@link #REDIS_CLUSTER_NODES} nodes: each node also listens on
     * its port plus {@value EmbeddedRedisCluster#BUS_PORT_OFFSET} for the cluster's bus, so those must be free too.
     */
    public static int freeRedisClusterPorts(Collection<Integer> taken) {
        return freePortsInARow(REDIS_CLUSTER_NODES, taken, EmbeddedRedisCluster.BUS_PORT_OFFSET);
    }

    private static int freePortsInARow(int count, Collection<Integer> taken, int alsoAt) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int first = freePort();
            boolean free = first + count - 1 + alsoAt <= 65_535;
            for (int port = first; port < first + count && free; port++) {
                free = !taken.contains(port) && bindable(port) && (alsoAt == 0 || !taken.contains(port + alsoAt) && bindable(port + alsoAt));
            }
            if (free) {
                return first;
            }
        }
        throw new IllegalStateException("no " + count + " free ports in a row");
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return true;
        } catch (IOException inUse) {
            return false;
        }
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
