package dev.trackpipeline.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One piece of the embedded infrastructure in a process of its own, as {@code bin/track infra}
 * runs it: the environment names the other two as external servers, so only this one starts.
 * A fault test stops it (SIGTERM: Kafka shuts down cleanly, Redis writes its append-only file,
 * the MongoDB-wire store closes its file) or kills it (SIGKILL: nothing is flushed or closed, and
 * what was acknowledged must be in the files anyway) and starts it again on the same data and port.
 */
final class InfraProcess implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final String name;
    private final List<String> command;
    private final Map<String, String> environment;
    private final Path log;
    private Process process;

    private InfraProcess(String name, List<String> command, Map<String, String> environment, Path log) {
        this.name = name;
        this.command = command;
        this.environment = environment;
        this.log = log;
    }

    /**
     * @param arguments   {@code infra} options: data directory and ports
     * @param othersAsEnv the other components' addresses, in the services' variables
     */
    static InfraProcess start(String name, Path home, List<String> arguments, Map<String, String> othersAsEnv, Path logDir)
            throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-jar", home.resolve("launcher/target/launcher-exec.jar").toString(), "infra"));
        command.addAll(arguments);
        Files.createDirectories(logDir);
        InfraProcess infra = new InfraProcess(name, command, othersAsEnv, logDir.resolve("infra-" + name + ".log"));
        infra.start();
        return infra;
    }

    String name() {
        return name;
    }

    /** Starts the process and waits for its ready line. */
    void start() throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        long readyLinesBefore = readyLines();
        process = builder.start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (readyLines() == readyLinesBefore) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                kill(); // with what it started, which would hold ports and data past the test
                throw new IllegalStateException("infrastructure process " + name + " did not start; see " + log);
            }
            process.waitFor(200, TimeUnit.MILLISECONDS);
        }
    }

    /** SIGTERM, and waits until the process has shut its server down. */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new IllegalStateException("infrastructure process " + name + " ignored SIGTERM for 60 s; see " + log);
        }
    }

    /**
     * SIGKILL to the process and everything it started: the embedded Redis is a redis-server child
     * of the JVM, which would otherwise live on, holding the port.
     */
    void kill() throws InterruptedException {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle handle : tree) {
            handle.onExit().orTimeout(30, TimeUnit.SECONDS).join();
        }
    }

    /** The processes it started: a Kafka node each with {@code --kafka-brokers} above 1, the redis-server. */
    List<ProcessHandle> children() {
        return process.children().toList();
    }

    /** SIGKILL to this process alone, leaving what it started to notice. */
    void killAlone() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    private long readyLines() throws IOException {
        if (!Files.exists(log)) {
            return 0;
        }
        try (var lines = Files.lines(log)) {
            return lines.filter(line -> line.startsWith("infrastructure ready")).count();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            stop();
        }
    }
}
