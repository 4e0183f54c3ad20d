package dev.trackpipeline.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trackpipeline.infra.FreePorts;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGINT stops {@code bin/track} however it was started: here as a script's background job is,
 * with SIGINT ignored (which a JVM would otherwise keep ignoring), and SIGTERM too.
 */
class StopSignalsIT {

    static final Path HOME = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void sigintStopsInfraStartedWithSigintIgnored() throws Exception {
        assertStopsOn("INT", 130);
    }

    @Test
    void sigtermStopsItToo() throws Exception {
        assertStopsOn("TERM", 143);
    }

    @Test
    void sigkillTakesItsRedisWithIt() throws Exception {
        assertStopsOn("KILL", 137);
    }

    /** Ctrl-C while the services are still starting stops them too: none is left holding its ports. */
    @Test
    void sigintWhileTheServicesStartStopsThem() throws Exception {
        Path data = dir.resolve("starting");
        List<String> command = new java.util.ArrayList<>(List.of("bin/track", "local", "--data-dir", data.toString()));
        List<Integer> servicePorts = new java.util.ArrayList<>();
        for (String option : List.of("--kafka-port", "--kafka-controller-port", "--mongo-port", "--redis-port", "--gateway-port",
                "--writer-port", "--aggregator-port", "--gateway-management-port", "--writer-management-port",
                "--aggregator-management-port")) {
            int port = FreePorts.one();
            command.addAll(List.of(option, String.valueOf(port)));
            servicePorts.add(port);
        }
        ProcessBuilder builder = new ProcessBuilder(command).directory(HOME.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("starting.out").toFile());
        asInTheCheckout(builder);
        Process local = builder.start();
        try {
            // the services' logs appear as they are launched, well before they answer
            await().atMost(java.time.Duration.ofMinutes(2)).until(() -> java.nio.file.Files.exists(data.resolve("logs/consumer-aggregator.log")));
            assertThat(local.isAlive()).as("still starting").isTrue();

            assertThat(new ProcessBuilder("kill", "-INT", String.valueOf(local.pid())).start().waitFor()).isZero();

            assertThat(local.waitFor(90, TimeUnit.SECONDS)).as("stopped within 90 s of SIGINT").isTrue();
            assertThat(local.exitValue()).isEqualTo(130);
            await().atMost(java.time.Duration.ofSeconds(15)).ignoreExceptions().untilAsserted(() -> PortsInUse.requireFree(
                    servicePorts.stream().map(port -> new PortsInUse.Use(port, "a port of the pipeline", "--port", "PORT")).toList()));
        } finally {
            local.destroyForcibly();
        }
    }

    /**
     * Ctrl-C while the broker is starting: the stop waits for the start and closes what it started,
     * so Kafka marks its log as cleanly shut down instead of recovering it at the next start.
     */
    @Test
    void sigintWhileTheInfrastructureStartsClosesItCleanly() throws Exception {
        Path data = dir.resolve("infra-starting");
        int redisPort = FreePorts.one();
        ProcessBuilder builder = new ProcessBuilder("bin/track", "infra", "--data-dir", data.toString(), "--kafka-port",
                String.valueOf(FreePorts.one()), "--kafka-controller-port", String.valueOf(FreePorts.one()), "--mongo-port",
                String.valueOf(FreePorts.one()), "--redis-port", String.valueOf(redisPort))
                .directory(HOME.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("infra-starting.out").toFile());
        asInTheCheckout(builder);
        // A JVM recording its AOT cache writes it out as it exits, which takes seconds and gives a
        // start cut short time to end by itself; without one, the exit comes as soon as the stop returns.
        builder.environment().put("TRACK_AOT_CACHE", "off");
        Process infra = builder.start();
        try {
            // the broker's metadata log appears as it starts up: once there, it is past loading its
            // libraries, which could not start at all once the JVM shuts down
            await().atMost(java.time.Duration.ofMinutes(2)).pollInterval(java.time.Duration.ofMillis(20))
                    .until(() -> java.nio.file.Files.isDirectory(data.resolve("kafka/__cluster_metadata-0")));

            assertThat(new ProcessBuilder("kill", "-INT", String.valueOf(infra.pid())).start().waitFor()).isZero();

            assertThat(infra.waitFor(120, TimeUnit.SECONDS)).as("stopped within 120 s of SIGINT").isTrue();
            String output = java.nio.file.Files.readString(dir.resolve("infra-starting.out"));
            assertThat(infra.exitValue()).as(output).isEqualTo(130);
            assertThat(output).as("stopped before it was ready").doesNotContain("infrastructure ready");
            assertThat(data.resolve("kafka").resolve(".kafka_cleanshutdown")).as(output).exists();
            // Redis, started after the broker while the JVM was already shutting down, is not left running
            await().atMost(java.time.Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() -> PortsInUse.requireFree(
                    List.of(new PortsInUse.Use(redisPort, "embedded Redis", "--redis-port", "TRACK_REDIS_PORT"))));
        } finally {
            infra.destroyForcibly();
        }
    }

    private void assertStopsOn(String signal, int exitCode) throws Exception {
        int redisPort = FreePorts.one();
        String command = "trap '' INT; exec bin/track infra --data-dir '" + dir.resolve(signal) + "' --kafka-port "
                + FreePorts.one() + " --kafka-controller-port " + FreePorts.one()
                + " --mongo-port " + FreePorts.one() + " --redis-port " + redisPort;
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", command).directory(HOME.toFile()).redirectErrorStream(true);
        asInTheCheckout(builder);
        Process infra = builder.start();
        try (BufferedReader output = new BufferedReader(new InputStreamReader(infra.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            StringBuilder seen = new StringBuilder();
            while ((line = output.readLine()) != null && !line.startsWith("infrastructure ready")) {
                seen.append(line).append('\n');
            }
            assertThat(line).as(seen.toString()).startsWith("infrastructure ready");

            assertThat(new ProcessBuilder("kill", "-" + signal, String.valueOf(infra.pid())).start().waitFor()).isZero();

            assertThat(infra.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s of SIG" + signal).isTrue();
            assertThat(infra.exitValue()).isEqualTo(exitCode);
            // its Redis went with it (after a SIGKILL, by its orphan guard)
            await().atMost(java.time.Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() -> PortsInUse.requireFree(
                    List.of(new PortsInUse.Use(redisPort, "embedded Redis", "--redis-port", "TRACK_REDIS_PORT"))));
        } finally {
            infra.destroyForcibly();
        }
    }

    /** bin/track on the embedded servers, and on the jars Maven has built: it is still running, so nothing builds again. */
    private static void asInTheCheckout(ProcessBuilder builder) {
        builder.environment().keySet().removeAll(List.of("KAFKA_BOOTSTRAP_SERVERS", "MONGODB_URI", "REDIS_HOST", "REDIS_PORT"));
        builder.environment().put("TRACK_NO_BUILD", "1");
    }
}
