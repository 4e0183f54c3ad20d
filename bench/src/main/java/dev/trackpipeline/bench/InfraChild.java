package dev.trackpipeline.bench;

import dev.trackpipeline.infra.FreePorts;
import dev.trackpipeline.launcher.AotCache;
import dev.trackpipeline.launcher.LocalPipeline;
import dev.trackpipeline.model.infra.InfrastructureDefaults;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code bin/track infra} as a process of its own: the broker, the MongoDB-wire stand-in (its
 * file store, as {@code bin/track local} keeps it) and Redis, with the JVM options users get, so
 * that its CPU and memory are measured apart from the load generator and the services. On Java 25
 * it starts from its AOT cache as the services do ({@link AotCache}): the broker and the stand-in
 * are the heaviest of the four JVMs to load and compile.
 */
final class InfraChild implements AutoCloseable {

    /** What bin/track gives the infrastructure's JVM. */
    static final String JVM_OPTIONS = System.getenv().getOrDefault("TRACK_JAVA_OPTS", LocalPipeline.DEFAULT_INFRA_JVM_OPTIONS).trim();

    private final Process process;
    private final AotCache.Launch launch;
    private final Path log;
    private final int kafkaPort;
    private final int mongoPort;
    private final int redisPort;

    private InfraChild(Process process, AotCache.Launch launch, Path log, int kafkaPort, int mongoPort, int redisPort) {
        this.process = process;
        this.launch = launch;
        this.log = log;
        this.kafkaPort = kafkaPort;
        this.mongoPort = mongoPort;
        this.redisPort = redisPort;
    }

    static InfraChild start(Path home, Path dataDir, Duration timeout) throws IOException, InterruptedException {
        int kafka = FreePorts.one();
        int mongo = FreePorts.one();
        int redis = FreePorts.one();
        AotCache aot = AotCache.forThisJvm();
        List<String> jvmOptions = LocalPipeline.infraJvmOptions(JVM_OPTIONS, Runtime.version().feature());
        AotCache.Launch launch = aot.launch(jar(home), LocalPipeline.INFRASTRUCTURE_MODULE, jvmOptions,
                note -> System.err.println("bench: infrastructure: " + note));
        List<String> command = new ArrayList<>(List.of(aot.java().toString()));
        command.addAll(jvmOptions);
        command.add("-Dtrack.home=" + home);
        command.addAll(launch.arguments());
        command.addAll(List.of("infra",
                "--data-dir", dataDir.toString(), "--kafka-port", String.valueOf(kafka),
                "--kafka-controller-port", String.valueOf(FreePorts.one()),
                "--mongo-port", String.valueOf(mongo), "--redis-port", String.valueOf(redis)));
        Files.createDirectories(dataDir);
        Path log = dataDir.resolve("infra.log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        // The infrastructure is the benchmark's own: none named by the caller's environment.
        builder.environment().keySet().removeAll(List.of("KAFKA_BOOTSTRAP_SERVERS", "MONGODB_URI", "REDIS_HOST", "REDIS_PORT",
                "TRACK_KAFKA_BROKERS"));
        InfraChild infra = new InfraChild(builder.start(), launch, log, kafka, mongo, redis);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.readString(log).contains("infrastructure ready")) {
            if (!infra.process.isAlive() || System.nanoTime() > deadline) {
                infra.close();
                throw new IllegalStateException("the infrastructure did not start; see " + log + ":\n" + Files.readString(log));
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
        return infra;
    }

    static Path jar(Path home) {
        return home.resolve("launcher/target/launcher-exec.jar");
    }

    String kafkaBootstrapServers() {
        return "127.0.0.1:" + kafkaPort;
    }

    /** What the services are told, as {@code bin/track local} tells them. */
    Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafkaBootstrapServers());
        env.put("MONGODB_URI", "mongodb://127.0.0.1:" + mongoPort + "/" + InfrastructureDefaults.MONGO_DATABASE);
        env.put("REDIS_HOST", "127.0.0.1");
        env.put("REDIS_PORT", String.valueOf(redisPort));
        env.put("REDIS_DB", "0");
        // One embedded broker: one copy of each partition, as bin/track local runs it.
        env.put("TRACK_TOPICS_REPLICATION_FACTOR", "1");
        env.put("TRACK_TOPICS_MIN_INSYNC_REPLICAS", "1");
        return env;
    }

    /** The JVM and the redis-server it started. */
    List<ProcessHandle> processes() {
        List<ProcessHandle> all = new ArrayList<>();
        all.add(process.toHandle());
        process.toHandle().descendants().forEach(all::add);
        return all;
    }

    Path log() {
        return log;
    }

    /** Null while the infrastructure's JVM runs; once it stopped, why, as the last line of its log says. */
    String stoppedBecause() throws java.io.IOException {
        if (process.isAlive()) {
            return null;
        }
        List<String> lines = java.nio.file.Files.readAllLines(log).stream().filter(line -> !line.isBlank()).toList();
        return "exited with " + process.exitValue() + (lines.isEmpty() ? "" : ": " + lines.get(lines.size() - 1));
    }

    @Override
    public void close() throws InterruptedException {
        if (ChildProcesses.stop(process, Duration.ofSeconds(60))) {
            launch.keepRecording(); // written by the JVM on its way out
        } else {
            launch.discardRecording();
        }
    }
}
