package dev.trackpipeline.infra;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka, a MongoDB-wire server and Redis, each started here unless the settings name an external
 * one. The answer to "what do the services connect to", as addresses and as environment variables.
 */
public final class EmbeddedInfrastructure implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedInfrastructure.class);

    private final Deque<AutoCloseable> started;
    private final String kafkaBootstrapServers;
    private final String mongoUri;
    private final RedisAddress redis;
    private final List<Component> components;
    private final Optional<Path> ownedDataDir;
    private final int kafkaBrokers;

    private EmbeddedInfrastructure(Deque<AutoCloseable> started, String kafkaBootstrapServers, String mongoUri,
                                   RedisAddress redis, List<Component> components, Optional<Path> ownedDataDir, int kafkaBrokers) {
        this.started = started;
        this.kafkaBootstrapServers = kafkaBootstrapServers;
        this.mongoUri = mongoUri;
        this.redis = redis;
        this.components = List.copyOf(components);
        this.ownedDataDir = ownedDataDir;
        this.kafkaBrokers = kafkaBrokers;
    }

    /** One piece of infrastructure and where it is; {@code embedded} is false for an external server. */
    public record Component(String name, String address, boolean embedded) {
    }

    public static EmbeddedInfrastructure start(InfrastructureSettings settings) {
        return start(settings, Optional.empty());
    }

    /** In-memory stores on free ports under a temporary directory that {@link #close()} deletes. */
    public static EmbeddedInfrastructure startForTests() {
        try {
            Path dir = Files.createTempDirectory("track-infra-test");
            return start(InfrastructureSettings.forTests(dir), Optional.of(dir));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Refuses, as {@link #start} would, a data directory another track-pipeline holds or one of
     * another layout, without starting or writing anything: checked before the ports, a second
     * start on the same directory is told so, not that the first one's ports are taken.
     */
    public static void requireDataDirectoryUsable(InfrastructureSettings settings) throws Exception {
        List<String> embedded = embeddedStores(settings.external());
        if (settings.persistent() && !embedded.isEmpty()) {
            DataLayout.requireUsable(settings.dataDir(), embedded);
        }
    }

    /** The stores this process runs itself, by their lock files' names: those no external server stands in for. */
    public static List<String> embeddedStores(ExternalServers external) {
        List<String> embedded = new ArrayList<>();
        if (external.kafkaBootstrapServers().isEmpty()) embedded.add("kafka");
        if (external.mongoUri().isEmpty()) embedded.add("mongodb");
        if (external.redis().isEmpty()) embedded.add("redis");
        return embedded;
    }

    private static EmbeddedInfrastructure start(InfrastructureSettings settings, Optional<Path> ownedDataDir) {
        Deque<AutoCloseable> started = new ArrayDeque<>();
        List<Component> components = new ArrayList<>();
        ExternalServers external = settings.external();
        try {
            List<String> embedded = embeddedStores(external);
            if (settings.persistent() && !embedded.isEmpty()) {
                started.push(DataLayout.claim(settings.dataDir(), embedded)); // released last, once every store has stopped
            }
            String kafka = external.kafkaBootstrapServers().orElseGet(() -> {
                if (settings.kafkaBrokers() > 1) {
                    // Apart from the single broker's log directory, and from a cluster of another size's:
                    // a node's data belongs to its quorum.
                    EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.start(
                            settings.dataDir().resolve("kafka-" + settings.kafkaBrokers() + "-brokers"),
                            KafkaNode.cluster(settings.kafkaBrokers(), settings.host(), settings.kafkaPort(), settings.kafkaControllerPort()));
                    started.push(cluster);
                    return cluster.bootstrapServers();
                }
                Path logDir = settings.dataDir().resolve("kafka");
                EmbeddedKafkaBroker broker;
                try {
                    broker = EmbeddedKafkaBroker.start(logDir, settings.host(), settings.kafkaPort(), settings.kafkaControllerPort());
                } catch (RuntimeException e) {
                    throw UnreadableStores.kafka(logDir, e);
                }
                started.push(broker);
                return broker.bootstrapServers();
            });
            components.add(new Component("kafka", kafka, external.kafkaBootstrapServers().isEmpty()));

            String mongo = external.mongoUri().orElseGet(() -> {
                Optional<Path> store = settings.persistent() ? Optional.of(settings.dataDir().resolve("mongo/track.mv")) : Optional.empty();
                EmbeddedMongoServer server;
                try {
                    server = EmbeddedMongoServer.start(store, settings.host(), settings.mongoPort());
                } catch (RuntimeException e) {
                    throw store.map(file -> UnreadableStores.mongo(file, e)).orElse(e);
                }
                started.push(server);
                return server.uri();
            });
            components.add(new Component("mongodb", mongo, external.mongoUri().isEmpty()));

            RedisAddress redis = external.redis().orElseGet(() -> {
                if (settings.redisCluster()) {
                    // Formed anew at each start: its nodes keep no data, and a node's cluster state
                    // from an earlier run would refuse the slots given it now.
                    Path clusterDir = settings.dataDir().resolve("redis-cluster");
                    Directories.deleteRecursively(clusterDir);
                    EmbeddedRedisCluster cluster = EmbeddedRedisCluster.start(clusterDir, settings.host(), 3, 1,
                            settings.redisClusterPorts());
                    started.push(cluster);
                    return new RedisAddress(settings.host(), settings.redisPort(), Optional.empty(), 0);
                }
                Optional<Path> dir = settings.persistent() ? Optional.of(settings.dataDir().resolve("redis")) : Optional.empty();
                EmbeddedRedisServer server = EmbeddedRedisServer.start(dir, settings.host(), settings.redisPort());
                started.push(server);
                return new RedisAddress(server.host(), server.port(), Optional.empty(), 0);
            });
            components.add(new Component("redis", redisCluster(started).map(cluster -> "redis-cluster://" + String.join(",", cluster.nodes()))
                    .orElse(redis.toString()), external.redis().isEmpty()));

            return new EmbeddedInfrastructure(started, kafka, mongo, redis, components, ownedDataDir, settings.kafkaBrokers());
        } catch (RuntimeException | Error e) {
            // an Error too: a library starting while the JVM shuts down (Ctrl-C) fails to add its own
            // shutdown hook with one, and what started before it must still be closed
            closeAll(started);
            ownedDataDir.ifPresent(Directories::deleteRecursively);
            throw e;
        }
    }

    public String kafkaBootstrapServers() {
        return kafkaBootstrapServers;
    }

    public String mongoUri() {
        return mongoUri;
    }

    public RedisAddress redis() {
        return redis;
    }

    /** The Kafka cluster, when more than one embedded broker was asked for: its nodes can be killed and started again. */
    public Optional<EmbeddedKafkaCluster> kafkaCluster() {
        return started.stream().filter(EmbeddedKafkaCluster.class::isInstance).map(EmbeddedKafkaCluster.class::cast).findFirst();
    }

    /** The Redis Cluster, when one was asked for: its nodes can be killed and started again. */
    public Optional<EmbeddedRedisCluster> redisCluster() {
        return redisCluster(started);
    }

    private static Optional<EmbeddedRedisCluster> redisCluster(Deque<AutoCloseable> started) {
        return started.stream().filter(EmbeddedRedisCluster.class::isInstance).map(EmbeddedRedisCluster.class::cast).findFirst();
    }

    public List<Component> components() {
        return components;
    }

    /** The environment a service process needs to use this infrastructure, in the seed server's names. */
    public Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafkaBootstrapServers);
        env.put("MONGODB_URI", mongoUri);
        env.put("REDIS_HOST", redis.host());
        env.put("REDIS_PORT", String.valueOf(redis.port()));
        redis.password().ifPresent(password -> env.put("REDIS_PASSWORD", password));
        env.put("REDIS_DB", String.valueOf(redis.database()));
        redisCluster().ifPresent(cluster -> {
            env.put("REDIS_CLUSTER_NODES", String.join(",", cluster.nodes()));
            // each master has a replica: a batch counts as done once it holds the batch's writes
            env.put("REDIS_WAIT_REPLICAS", "1");
        });
        if (kafkaIsEmbedded()) {
            // As durable as the embedded brokers allow: the services' production defaults need three.
            KafkaDurability durability = KafkaDurability.of(kafkaBrokers);
            env.put("TRACK_TOPICS_REPLICATION_FACTOR", String.valueOf(durability.copies()));
            env.put("TRACK_TOPICS_MIN_INSYNC_REPLICAS", String.valueOf(durability.inSync()));
        }
        return env;
    }

    private boolean kafkaIsEmbedded() {
        return components.stream().anyMatch(component -> component.name().equals("kafka") && component.embedded());
    }

    @Override
    public synchronized void close() {
        closeAll(started);
        ownedDataDir.ifPresent(Directories::deleteRecursively);
    }

    private static void closeAll(Deque<AutoCloseable> started) {
        while (!started.isEmpty()) {
            AutoCloseable server = started.pop();
            try {
                server.close();
            } catch (Exception e) {
                log.warn("stopping {} failed: {}", server.getClass().getSimpleName(), e.getMessage());
            }
        }
    }
}
