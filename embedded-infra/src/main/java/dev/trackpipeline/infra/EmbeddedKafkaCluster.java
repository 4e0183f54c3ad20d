package dev.trackpipeline.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

/**
 * A real Kafka cluster on this machine: every node broker and controller (KRaft), each in a
 * process of its own ({@link KafkaNodeMain}), so that one can be killed (SIGKILL) or stopped and
 * started again while the others serve. With three nodes the quorum and every topic of three
 * copies survive the loss of any one.
 */
public final class EmbeddedKafkaCluster implements AutoCloseable {

    /**
     * Each node's JVM: a broker with the services' small topics needs little heap, and on two cores
     * the serial collector leaves the most to the rest.
     */
    static final List<String> NODE_JVM_OPTIONS = List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError");
    private static final Duration START_WITHIN = Duration.ofSeconds(120);

    private final Path dataDir;
    private final List<KafkaNode> nodes;
    private final List<String> launch;
    private final Map<Integer, Process> running = new LinkedHashMap<>();

    private EmbeddedKafkaCluster(Path dataDir, List<KafkaNode> nodes, List<String> launch) {
        this.dataDir = dataDir;
        this.nodes = List.copyOf(nodes);
        this.launch = launch;
    }

    /** Starts every node at once (a broker joins only once a majority of the quorum is up) and returns when all have. */
    public static EmbeddedKafkaCluster start(Path dataDir, List<KafkaNode> nodes) {
        EmbeddedKafkaCluster cluster = new EmbeddedKafkaCluster(dataDir, nodes, launchCommand());
        try {
            for (KafkaNode node : nodes) {
                cluster.launch(node);
            }
            for (KafkaNode node : nodes) {
                cluster.awaitReady(node);
            }
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    public List<KafkaNode> nodes() {
        return nodes;
    }

    /** Every node's address: a client that finds one away asks the next. */
    public String bootstrapServers() {
        return String.join(",", nodes.stream().map(KafkaNode::address).toList());
    }

    /** SIGKILL: the node stops as in a crash, with whatever it had not written to disk lost. */
    public void kill(int nodeId) {
        Process process = running.remove(nodeId);
        if (process != null) {
            process.destroyForcibly();
            awaitExit(process);
        }
    }

    /** Starts a node killed or stopped before, on its data, and returns once it has rejoined the cluster. */
    public void restart(int nodeId) {
        KafkaNode node = nodes.stream().filter(candidate -> candidate.id() == nodeId).findFirst().orElseThrow();
        kill(nodeId);
        launch(node);
        awaitReady(node);
    }

    /** SIGTERM to every node at once: each shuts down cleanly, moving its leaderships first. */
    @Override
    public void close() {
        running.values().forEach(Process::destroy);
        running.values().forEach(EmbeddedKafkaCluster::awaitExit);
        running.clear();
    }

    private void launch(KafkaNode node) {
        Path logDir = dataDir.resolve("node-" + node.id());
        List<String> command = new ArrayList<>(launch);
        command.add(logDir.toAbsolutePath().toString());
        command.add(String.valueOf(node.id()));
        nodes.forEach(member -> command.add(member.toString()));
        try {
            Files.createDirectories(logDir);
            Path log = logFile(node);
            Files.deleteIfExists(log);
            running.put(node.id(), new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start());
        } catch (IOException e) {
            throw new UncheckedIOException("could not start Kafka node " + node.id(), e);
        }
    }

    private void awaitReady(KafkaNode node) {
        Process process = running.get(node.id());
        long deadline = System.nanoTime() + START_WITHIN.toNanos();
        try {
            while (!Files.readString(logFile(node)).contains(KafkaNodeMain.READY)) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("Kafka node " + node.id() + " did not start on " + node.address()
                            + (process.isAlive() ? " within " + START_WITHIN : " (it exited " + process.exitValue() + ")")
                            + "; see " + logFile(node));
                }
                TimeUnit.MILLISECONDS.sleep(100);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while Kafka node " + node.id() + " started", e);
        }
    }

    private Path logFile(KafkaNode node) {
        return dataDir.resolve("node-" + node.id() + ".log");
    }

    private static void awaitExit(Process process) {
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * How this JVM starts a node: its own java and class path. A Spring Boot jar (the launcher's)
     * holds its classes nested, out of a plain class path's reach, so it is run with its
     * {@code kafka-node} command instead.
     */
    static List<String> launchCommand() {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String classPath = System.getProperty("java.class.path");
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(NODE_JVM_OPTIONS);
        if (isSpringBootJar(classPath)) {
            command.addAll(List.of("-jar", classPath, "kafka-node"));
        } else {
            command.addAll(List.of("-cp", classPath, KafkaNodeMain.class.getName()));
        }
        return command;
    }

    private static boolean isSpringBootJar(String classPath) {
        if (!classPath.endsWith(".jar") || classPath.contains(java.io.File.pathSeparator)) {
            return false;
        }
        try (JarFile jar = new JarFile(classPath)) {
            return jar.getEntry("BOOT-INF/") != null;
        } catch (IOException e) {
            return false;
        }
    }
}
