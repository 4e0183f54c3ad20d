package dev.trackpipeline.infra;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real Apache Kafka broker in this JVM: KRaft, a node acting as broker and controller, alone or
 * one of a cluster ({@link EmbeddedKafkaCluster} runs each node in a process of its own). Its log
 * directory lives under the data directory, so topics and offsets survive restarts.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    /** Fixed so a data directory formatted once is recognised on every later start. */
    static final String CLUSTER_ID = "tRaCkPiPeLiNeCluSt3rIw";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";

    private final KafkaRaftServer server;
    private final String bootstrapServers;

    private EmbeddedKafkaBroker(KafkaRaftServer server, String bootstrapServers) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
    }

    /** A cluster of one: the broker alone is the quorum, and Kafka's own topics keep one copy. */
    public static EmbeddedKafkaBroker start(Path logDir, String host, int port, int controllerPort) {
        KafkaNode self = new KafkaNode(1, host, port, controllerPort);
        return start(logDir, self, List.of(self));
    }

    /**
     * One node of {@code quorum}, every node of which is broker and controller. Returns once this
     * broker is part of the cluster, which needs a majority of the quorum up: start the others at
     * the same time, each in its own process.
     */
    public static EmbeddedKafkaBroker start(Path logDir, KafkaNode self, List<KafkaNode> quorum) {
        try {
            Files.createDirectories(logDir);
            Properties config = brokerConfig(logDir, self, quorum);
            if (!Files.exists(logDir.resolve("meta.properties"))) {
                format(logDir, self.id());
            }
            KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(config, false), Time.SYSTEM);
            server.startup();
            EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(server, self.address());
            broker.awaitRegistered(self.id(), Duration.ofSeconds(120));
            return broker;
        } catch (Exception e) {
            throw new IllegalStateException("Kafka broker " + self.id() + " failed to start on " + self.address() + ": " + e.getMessage(), e);
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    private static Properties brokerConfig(Path logDir, KafkaNode self, List<KafkaNode> quorum) {
        String host = self.host();
        // Kafka's own topics (consumer offsets, transactions) as durable as the cluster allows, as
        // the services' topics are: 3 copies and 2 in sync from three brokers up.
        KafkaDurability durability = KafkaDurability.of(quorum.size());
        String copies = String.valueOf(durability.copies());
        String inSync = String.valueOf(durability.inSync());
        String voters = String.join(",", quorum.stream().map(node -> node.id() + "@" + node.host() + ":" + node.controllerPort()).toList());
        Properties config = new Properties();
        config.putAll(Map.ofEntries(
                Map.entry("process.roles", "broker,controller"),
                Map.entry("node.id", String.valueOf(self.id())),
                Map.entry("controller.quorum.voters", voters),
                Map.entry("listeners", "PLAINTEXT://" + host + ":" + self.port() + "," + CONTROLLER_LISTENER + "://" + host + ":"
                        + self.controllerPort()),
                Map.entry("advertised.listeners", "PLAINTEXT://" + host + ":" + self.port()),
                Map.entry("controller.listener.names", CONTROLLER_LISTENER),
                Map.entry("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT"),
                Map.entry("inter.broker.listener.name", "PLAINTEXT"),
                Map.entry("log.dirs", logDir.toAbsolutePath().toString()),
                Map.entry("offsets.topic.replication.factor", copies),
                Map.entry("offsets.topic.num.partitions", "10"),
                Map.entry("transaction.state.log.replication.factor", copies),
                Map.entry("transaction.state.log.min.isr", inSync),
                Map.entry("share.coordinator.state.topic.replication.factor", copies),
                Map.entry("share.coordinator.state.topic.min.isr", inSync),
                Map.entry("default.replication.factor", copies),
                Map.entry("min.insync.replicas", inSync),
                // A replica out of sync never becomes leader: it could lack acknowledged events.
                Map.entry("unclean.leader.election.enable", "false"),
                // Topics are declared by the services with their own settings, never created by a typo.
                Map.entry("auto.create.topics.enable", "false"),
                Map.entry("group.initial.rebalance.delay.ms", "0"),
                // The log cleaner takes its whole dedupe buffer from the heap as it starts (128 MB by
                // default), in whatever JVM hosts this broker: the launcher's or a test's, where it
                // ran a 256 MB gateway out of memory. The compacted topics here are the internal ones,
                // a few thousand keys: 8 MB holds 300,000 per pass.
                Map.entry("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024))));
        return config;
    }

    private static void format(Path logDir, int nodeId) throws Exception {
        new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setClusterId(CLUSTER_ID)
                .setNodeId(nodeId)
                .setDirectories(List.of(logDir.toAbsolutePath().toString()))
                .setMetadataLogDirectory(logDir.toAbsolutePath().toString())
                .setControllerListenerName(CONTROLLER_LISTENER)
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                .run();
    }

    /** Until the cluster lists this broker: it has caught up with the quorum's metadata and takes requests. */
    private void awaitRegistered(int nodeId, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis()))) {
            while (admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS).stream()
                    .noneMatch(node -> node.id() == nodeId)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("broker " + nodeId + " not registered with the cluster within " + timeout);
                }
                TimeUnit.MILLISECONDS.sleep(100);
            }
        }
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }
}
