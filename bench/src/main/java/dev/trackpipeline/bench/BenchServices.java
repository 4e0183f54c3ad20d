package dev.trackpipeline.bench;

import com.mongodb.client.MongoClients;
import dev.trackpipeline.infra.EmbeddedInfrastructure;
import dev.trackpipeline.infra.InfrastructureSettings;
import dev.trackpipeline.launcher.Service;
import dev.trackpipeline.launcher.ServicePorts;
import dev.trackpipeline.launcher.ServiceProcess;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * What the benchmark runs: the embedded infrastructure in this process, and each service as a
 * process of its own from its executable jar, as in production. Consumers are started with a
 * group and a store of their own per measurement, so each one drains exactly the prepared events
 * into an empty store.
 */
final class BenchServices implements AutoCloseable {

    static final String PROBE_APIKEY = "bench-probe";
    static final String PROBE_TOKEN = "bench-probe-token";
    static final String READ_TOKEN = "demo-read-token";
    /**
     * The load generator is one client address with many connections, which the gateway's
     * per-address bounds would refuse in part: its concurrent body reads (16, against slow clients),
     * its requests per second (100, checked before a body is read) and its bytes of bodies per second
     * (4 MB, after gzip). Its share of a project's rate limit is no bound here, the projects' limits
     * being none worth the name.
     */
    static final List<String> ONE_CLIENT_MANY_CONNECTIONS = List.of("-Dtrack.gateway.max-body-reads-per-client=100000",
            "-Dtrack.gateway.client-requests.per-second=1000000000", "-Dtrack.gateway.client-requests.burst=1000000000",
            "-Dtrack.gateway.client-bytes.per-second=900MB", "-Dtrack.gateway.client-bytes.burst=1TB");
    static final String LISTENER_CONTROLS = "-Dtrack.bench.listener-controls=true";
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
    /** What bin/track gives the services, so the benchmark measures what users run. */
    static final List<String> JVM_OPTIONS = List.of(System.getenv().getOrDefault("TRACK_SERVICE_JAVA_OPTS",
            ServiceProcess.DEFAULT_JVM_OPTIONS).trim().split("\\s+"));

    private final Path home;
    private final Path workDir;
    private final EmbeddedInfrastructure infra;
    private final Path projectsFile;
    private final List<ServiceProcess> running = new ArrayList<>();

    /**
     * @param storesOnDisk MongoDB-wire and Redis data in files, as {@code bin/track local} keeps
     *                     them, instead of in memory: what a long run needs, whose events would
     *                     not fit in this process's heap
     */
    BenchServices(Path home, Path workDir, boolean storesOnDisk) throws IOException {
        this.home = home;
        this.workDir = workDir;
        this.infra = EmbeddedInfrastructure.start(InfrastructureSettings.forTests(workDir.resolve("infra")).withPersistence(storesOnDisk));
        this.projectsFile = workDir.resolve("projects.yml");
        // No rate limit worth the name: the benchmark measures the gateway, not the limiter.
        Files.writeString(projectsFile, """
                projects:
                  - apikey: demo-project
                    readToken: %s
                    allowedOrigins: ["*"]
                    rateLimit: {eventsPerSecond: 1000000000, burst: 1000000000}
                  - apikey: %s
                    readToken: %s
                    allowedOrigins: ["*"]
                    rateLimit: {eventsPerSecond: 1000000000, burst: 1000000000}
                """.formatted(READ_TOKEN, PROBE_APIKEY, PROBE_TOKEN));
    }

    EmbeddedInfrastructure infrastructure() {
        return infra;
    }

    /** The gateway, with the no-op route the benchmark compares {@code /reportData} against. */
    ServiceProcess gateway() throws Exception {
        return gateways(1).get(0);
    }

    /** {@code count} gateways, each on ports of its own, behind the same topics. */
    List<ServiceProcess> gateways(int count) throws Exception {
        List<String> options = new ArrayList<>(ONE_CLIENT_MANY_CONNECTIONS);
        options.add("-Dtrack.gateway.bench-noop-route=true");
        return start(Service.GATEWAY, Map.of(), options, count, WhenHealthy.NOTHING);
    }

    /** What to do with an instance the moment it is healthy, before the others are. */
    interface WhenHealthy {

        WhenHealthy NOTHING = instance -> { };

        void accept(ServiceProcess instance) throws Exception;
    }

    /**
     * A writer in consumer group {@code group}, writing to the empty database {@code database},
     * with the listener controls ({@link ListenerControls}) the drains pause it by.
     */
    ServiceProcess writer(String group, String database) throws Exception {
        return writers(group, database, 1, WhenHealthy.NOTHING).get(0);
    }

    /** {@code count} writers sharing consumer group {@code group} and the database {@code database}; with listener controls. */
    List<ServiceProcess> writers(String group, String database, int count, WhenHealthy whenHealthy) throws Exception {
        return start(Service.WRITER, Map.of("MONGODB_URI", mongoUri(database)),
                List.of("-Dtrack.writer.group-id=" + group, LISTENER_CONTROLS), count, whenHealthy);
    }

    /** An aggregator in consumer group {@code group}, counting into the empty Redis database {@code database}; with listener controls. */
    ServiceProcess aggregator(String group, int database) throws Exception {
        return aggregators(group, database, 1, WhenHealthy.NOTHING).get(0);
    }

    /** {@code count} aggregators sharing consumer group {@code group} and the Redis database {@code database}; with listener controls. */
    List<ServiceProcess> aggregators(String group, int database, int count, WhenHealthy whenHealthy) throws Exception {
        return start(Service.AGGREGATOR, Map.of("REDIS_DB", String.valueOf(database)),
                List.of("-Dtrack.aggregator.group-id=" + group, LISTENER_CONTROLS), count, whenHealthy);
    }

    String mongoUri(String database) {
        URI uri = URI.create(infra.mongoUri());
        return "mongodb://" + uri.getAuthority() + "/" + database;
    }

    /** The stand-in keeps documents in this process's memory: a finished run's are dropped. */
    void dropDatabase(String database) {
        try (var client = MongoClients.create(mongoUri(database))) {
            client.getDatabase(database).drop();
        }
    }

    void stop(ServiceProcess service) throws InterruptedException {
        service.close();
        running.remove(service);
    }

    /**
     * Starts {@code count} instances of {@code module}, each on ports of its own, and awaits them
     * side by side, each handed to {@code whenHealthy} the moment it is healthy: a consumer that
     * ran on while the others started would drain alone what they were to share, so the drains
     * pause each at once. Each logs to a directory of its own (the log is named by the module) and
     * runs under the module's name, so each starts from the module's AOT cache.
     */
    private List<ServiceProcess> start(Service module, Map<String, String> environment, List<String> options, int count,
                                       WhenHealthy whenHealthy) throws Exception {
        List<ServiceProcess> instances = new ArrayList<>();
        for (int instance = 1; instance <= count; instance++) {
            ServicePorts.Ports ports = ServicePorts.Ports.free();
            Map<String, String> env = new LinkedHashMap<>(infra.environment());
            env.put("TRACK_PROJECTS_FILE", projectsFile.toString());
            env.putAll(module.environment(ports));
            env.putAll(environment);
            List<String> jvmOptions = new ArrayList<>(JVM_OPTIONS);
            jvmOptions.addAll(options);
            jvmOptions.add("-Dspring.kafka.consumer.client-id=" + consumerClientId(ports.api()));
            Path logs = instance == 1 ? workDir.resolve("logs") : workDir.resolve("logs").resolve("instance-" + instance);
            ServiceProcess service = ServiceProcess.start(module.module(), jarOf(home, module), ports.api(), ports.management(), env,
                    jvmOptions, logs);
            running.add(service);
            instances.add(service);
        }
        ExecutorService waiting = Executors.newFixedThreadPool(count);
        try {
            List<Future<Void>> healthy = new ArrayList<>();
            for (ServiceProcess instance : instances) {
                healthy.add(waiting.submit(() -> {
                    instance.awaitHealthy(START_TIMEOUT);
                    whenHealthy.accept(instance);
                    return null;
                }));
            }
            for (Future<Void> instance : healthy) {
                try {
                    instance.get();
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof Exception cause ? cause : e;
                }
            }
        } finally {
            waiting.shutdownNow();
        }
        return instances;
    }

    /**
     * What an instance's Kafka consumer calls itself (Spring may add a suffix): named by the
     * instance's port, so that the members of a group can be told apart, and each matched with
     * the instance it is ({@link KafkaOffsets#assignments}).
     */
    static String consumerClientId(int apiPort) {
        return "bench-instance-" + apiPort;
    }

    /** Whether {@code clientId}, a group member's, is {@code instance}'s consumer. */
    static boolean isConsumerOf(String clientId, ServiceProcess instance) {
        String ours = consumerClientId(URI.create(instance.url()).getPort());
        return clientId.equals(ours) || clientId.startsWith(ours + "-");
    }

    /** The service's executable jar in the checkout {@code home}, as {@code ./mvnw package} builds it. */
    static Path jarOf(Path home, Service service) {
        return home.resolve(service.module()).resolve("target").resolve(service.module() + "-exec.jar");
    }

    @Override
    public void close() {
        for (ServiceProcess service : List.copyOf(running)) {
            try {
                service.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        infra.close();
    }
}
