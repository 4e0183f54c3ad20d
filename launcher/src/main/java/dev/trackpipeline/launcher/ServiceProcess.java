package dev.trackpipeline.launcher;

import dev.trackpipeline.infra.OrphanGuard;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One service jar running as a child process, its output in a log file of its own. */
public final class ServiceProcess implements AutoCloseable {

    private static final Duration GRACE = Duration.ofSeconds(30);

    /**
     * JVM options of a service unless TRACK_SERVICE_JAVA_OPTS says otherwise (bin/track and the
     * Dockerfiles repeat them). Measured with the gateway on 2 cores: against {@code -Xmx512m}
     * with G1, a 256 MB heap with the serial collector served 36 % more requests (14,086 against
     * 10,366 per second) in 307 MB instead of 430 MB resident; G1's concurrent threads compete
     * with the request threads for the two cores. An OutOfMemoryError ends the process: thrown in
     * a thread of Kafka's producer or consumer, it would otherwise leave a service that answers
     * its health checks but can no longer publish or consume, and only an exit lets a supervisor
     * start a sound one.
     */
    public static final String DEFAULT_JVM_OPTIONS = "-Xmx256m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError";

    private final String name;
    private final int port;
    private final int managementPort;
    private final Process process;
    private final Path log;
    private final AotCache.Launch launch;
    /** Set once the service has answered healthy: only such a run's AOT recording is worth keeping. */
    private volatile boolean healthy;

    private ServiceProcess(String name, int port, int managementPort, Process process, Path log, AotCache.Launch launch) {
        this.name = name;
        this.port = port;
        this.managementPort = managementPort;
        this.process = process;
        this.log = log;
        this.launch = launch;
    }

    /**
     * @param port           the service's API port
     * @param managementPort where it answers health and metrics (a port of its own for every service)
     */
    public static ServiceProcess start(String name, Path jar, int port, int managementPort, Map<String, String> environment,
                                       List<String> jvmOptions, Path logDir) throws IOException, InterruptedException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build it with ./mvnw -DskipTests package");
        }
        Files.createDirectories(logDir);
        Path log = logDir.resolve(name + ".log");
        AotCache aot = AotCache.forThisJvm();
        List<String> command = new ArrayList<>();
        command.add(aot.java().toString());
        command.addAll(jvmOptions);
        AotCache.Launch launch = aot.launch(jar, name, jvmOptions,
                note -> System.err.println("track: " + name + ": " + note + "; it records again at its next start"));
        command.addAll(launch.arguments());
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        builder.environment().putAll(environment);
        Process process = builder.start();
        // Gone with the launcher however it ends (halted by Ctrl-C while still starting, SIGKILLed): never left holding its ports.
        OrphanGuard.watch(process);
        return new ServiceProcess(name, port, managementPort, process, log, launch);
    }

    public String name() {
        return name;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Where {@code /actuator/health} and {@code /actuator/prometheus} answer. */
    public String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    public Path log() {
        return log;
    }

    public long pid() {
        return process.pid();
    }

    /** Polls {@code /actuator/health} until the service reports UP, or fails if it exits or the time runs out. */
    public void awaitHealthy(Duration timeout) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest health = HttpRequest.newBuilder(URI.create(managementUrl() + "/actuator/health")).timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with code " + process.exitValue() + "; see " + log + whyItEnded()
                        + launch.crashedOnCache(process.exitValue()).map(removed -> System.lineSeparator() + "the JVM crashed on the AOT "
                        + "cache " + removed + ", which is removed: the next start runs without it and records it again").orElse(""));
            }
            try {
                HttpResponse<String> response = http.send(health, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200 && response.body().contains("\"UP\"")) {
                    healthy = true;
                    return;
                }
            } catch (IOException notYetListening) {
                // still starting
            }
            process.waitFor(250, TimeUnit.MILLISECONDS);
        }
        throw new IllegalStateException(name + " was not healthy within " + timeout.toSeconds() + " s; see " + log);
    }

    /**
     * The lines of the log that say why the process ended (errors, their causes, Spring Boot's
     * description of a failed start), or its last lines: a test run's log is gone with its
     * temporary directory by the time anyone reads the failure.
     */
    String whyItEnded() {
        List<String> lines;
        try {
            lines = Files.readAllLines(log);
        } catch (IOException unreadable) {
            return "";
        }
        List<String> telling = lines.stream().filter(line -> line.contains(" ERROR ") || line.startsWith("Caused by:")
                || line.startsWith("Description:") || line.startsWith("Reason:") || line.startsWith("Action:")).toList();
        List<String> shown = telling.isEmpty() ? lines.subList(Math.max(0, lines.size() - 10), lines.size()) : telling;
        String said = String.join(System.lineSeparator(), shown.subList(Math.max(0, shown.size() - 12), shown.size()));
        return said.isEmpty() ? "" : ", which ends:" + System.lineSeparator() + said.substring(Math.max(0, said.length() - 4_000));
    }

    /** SIGKILL at once, as a crash would: no batch finished, no offset committed. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
        launch.discardRecording();
    }

    /** SIGTERM first, so the service finishes its batch and commits; SIGKILL only after the grace period. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        boolean exited = process.waitFor(GRACE.toSeconds(), TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly().waitFor();
        }
        if (exited && healthy) {
            launch.keepRecording(); // written by the JVM on its way out (see AotCache)
        } else {
            launch.discardRecording(); // killed, or a start cut short, which records a start cut short
        }
    }
}
