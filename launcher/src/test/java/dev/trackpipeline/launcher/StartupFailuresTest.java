package dev.trackpipeline.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trackpipeline.infra.FreePorts;
import dev.trackpipeline.infra.testing.LockHolder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Each way bin/track cannot start ends in one line that says what to change, before anything runs. */
class StartupFailuresTest {

    static final Path SAMPLE_PROJECTS = Path.of("..", "config", "projects.yml").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    record Run(int exitCode, String out, String err) {
    }

    @Test
    void aPortInUseIsNamedWithTheOptionAndVariableThatMoveIt() throws Exception {
        assertRefusedWhileTaken("--gateway-port", "the gateway's API", "GATEWAY_PORT");
        assertRefusedWhileTaken("--aggregator-management-port", "the aggregator's health and metrics", "AGGREGATOR_MANAGEMENT_PORT");
        assertRefusedWhileTaken("--mongo-port", "the embedded MongoDB-wire server", "TRACK_MONGO_PORT");
    }

    @Test
    void aValueOutOfRangeIsNamedWithItsOptionAndVariable() {
        Run port = track(localWith("--mongo-port", "99999"));
        Run brokers = track(localWith("--kafka-brokers", "0"));

        assertThat(port.exitCode()).isEqualTo(2);
        assertThat(port.err()).isEqualTo("track: --mongo-port (TRACK_MONGO_PORT): expected a port from 1 to 65535, got 99999\n");
        assertThat(brokers.err()).isEqualTo("track: --kafka-brokers (TRACK_KAFKA_BROKERS): expected 1 or more, got 0\n");
        List<String> clusterArguments = new ArrayList<>(List.of(localWith("--redis-port", "60000")));
        clusterArguments.add("--redis-cluster");
        Run cluster = track(clusterArguments.toArray(String[]::new));
        assertThat(cluster.err()).isEqualTo("track: --redis-port (TRACK_REDIS_PORT): too high for a Redis Cluster's nodes and their bus "
                + "ports from it, which reach 70005; ports end at 65535\n");
        assertThat(dir.resolve("data")).doesNotExist();
    }

    @Test
    void aPortGivenToTwoServersIsNamedWithBothOptions() throws Exception {
        int port = FreePorts.one();

        Run run = track(localWith("--gateway-port", String.valueOf(port), "--writer-port", String.valueOf(port)));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("track: port " + port + " is given to both the gateway's API (--gateway-port or GATEWAY_PORT) "
                + "and the writer's API (--writer-port or WRITER_PORT): give each a port of its own\n");
    }

    private void assertRefusedWhileTaken(String option, String what, String variable) throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(0));
            int port = taken.getLocalPort();

            Run run = track(localWith(option, String.valueOf(port)));

            assertThat(run.exitCode()).as(option).isEqualTo(2);
            assertThat(run.err()).isEqualTo("track: port " + port + " (" + what + ") is in use: stop what holds it, or choose another "
                    + "with " + option + " or " + variable + "\n");
            assertThat(dir.resolve("data")).as("a refused start leaves no data directory behind").doesNotExist();
        }
    }

    @Test
    void aProjectsFileThatBreaksARuleIsNamedWithItsLineFieldAndRuleBeforeAnythingStarts() throws Exception {
        Path projects = Files.writeString(dir.resolve("projects.yml"), """
                projects:
                  - apikey: shop
                    readToken: shop-token
                    rateLimit: {eventsPerSecond: -5, burst: 10}
                """);

        Run run = track(localWith("--projects-file", projects.toString()));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("track: projects file " + projects + ", line 4 (projects[0].rateLimit): rateLimit: "
                + "eventsPerSecond and burst must be positive, got -5 and 10\n");
        assertThat(dir.resolve("data")).doesNotExist();
    }

    @Test
    void aProjectsFileNamedByARelativePathIsReadWhereTheCommandRunsEvenWhenItIsTheSamplesPath() {
        Path whereItRuns = Path.of("config", "projects.yml").toAbsolutePath();
        Path checkout = dir.resolve("checkout"); // not where the test runs, so the two readings differ

        Run run = track(localWith("--projects-file", "config/projects.yml", "--home", checkout.toString()));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("track: projects file " + whereItRuns + " does not exist\n");
    }

    @Test
    void checkConfigSaysAFileIsValidOrWhatIsWrongWhere() throws Exception {
        Path shared = Files.writeString(dir.resolve("shared.yml"), "projects:\n  - {apikey: a, readToken: t}\n  - {apikey: b, readToken: t}\n");

        Run valid = track("check-config", "--projects-file", SAMPLE_PROJECTS.toString());
        Run invalid = track("check-config", "--projects-file", shared.toString());
        Run missing = track("check-config", "--projects-file", dir.resolve("none.yml").toString());

        assertThat(valid.exitCode()).isZero();
        assertThat(valid.out()).isEqualTo("projects file " + SAMPLE_PROJECTS + ": valid, 1 project (demo-project)\n");
        assertThat(invalid.exitCode()).isEqualTo(2);
        assertThat(invalid.err()).isEqualTo("track: projects file " + shared + ", line 3 (projects[1].readToken): readToken: projects a and b "
                + "share a read token; "
                + "give each its own\n");
        assertThat(missing.err()).isEqualTo("track: projects file " + dir.resolve("none.yml") + " does not exist\n");
    }

    @Test
    void aDataDirectoryOfAnotherLayoutIsRefusedBeforeAnyStoreStarts() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("track-data.properties"), "layout=2\n");

        Run run = track(infraWith());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("track: data directory " + data + " is in data layout 2, which this track-pipeline does not read "
                + "(it reads layout 1): start the track-pipeline that wrote it, or choose another --data-dir (TRACK_DATA_DIR)\n");
        assertThat(data.resolve("kafka")).doesNotExist();
    }

    @Test
    void aDataDirectoryAnotherTrackPipelineRunsIsNamedBeforeThePortsItsPipelineHolds() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        try (LockHolder running = LockHolder.hold(data.resolve("kafka.lock"), dir.resolve("holder"));
             ServerSocket gateway = new ServerSocket()) {
            gateway.bind(new InetSocketAddress(0));

            Run run = track(localWith("--gateway-port", String.valueOf(gateway.getLocalPort())));
            Run infra = track(infraWith());

            String inUse = "track: data directory " + data + " is in use by another track-pipeline (process " + running.pid()
                    + "), which runs its kafka: stop it first, or choose another --data-dir (TRACK_DATA_DIR)\n";
            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.err()).isEqualTo(inUse);
            assertThat(infra.err()).isEqualTo(inUse);
        }
    }

    @Test
    void aStoreThatCannotReadItsDataIsNamedWithWhatMovingItAsideCosts() throws Exception {
        Path data = dir.resolve("data");
        Path store = Files.createDirectories(data.resolve("mongo")).resolve("track.mv");
        Files.write(store, new byte[8192]);

        Run run = track(infraWith());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("track: the MongoDB-wire store " + store + " cannot be read (")
                .endsWith("): move it aside to start with an empty store (bin/track replay rebuild refills it from Kafka's topics), "
                        + "or choose another --data-dir (TRACK_DATA_DIR)\n");
        assertThat(run.err().lines()).hasSize(1);
    }

    @Test
    void redisDataItCannotReadIsNamedWithRedisOwnReason() throws Exception {
        Path data = dir.resolve("data");
        Files.writeString(Files.createDirectories(data.resolve("redis")).resolve("appendonly.aof"), "*3\r\n$3\r\nSET\r\ngarbage");

        Run run = track(infraWith());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("track: Redis's data in " + data.resolve("redis") + " cannot be read (Bad file format reading the "
                + "append only file): move it aside to start with empty metrics (bin/track replay rebuild counts them again from Kafka's "
                + "topics), or choose another --data-dir (TRACK_DATA_DIR)\n");
    }

    @Test
    void kafkaDataOfAnotherNodeIsNamedWithKafkasOwnReason() throws Exception {
        Path data = dir.resolve("data");
        Path meta = Files.createDirectories(data.resolve("kafka")).resolve("meta.properties");
        Files.writeString(meta, "cluster.id=tRaCkPiPeLiNeCluSt3rIw\ndirectory.id=YoZbHoNkOZ6m8uJtjcO4Ug\nnode.id=7\nversion=1\n");

        Run run = track(infraWith());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("track: Kafka's log directory " + data.resolve("kafka") + " cannot be used (Stored node id 7 "
                + "doesn't match previous node id 1 in " + meta + "): move it aside to start with empty topics (the events they held "
                + "are lost to the pipeline), or choose another --data-dir (TRACK_DATA_DIR)\n");
    }

    @Test
    void aDiskWithoutRoomForTheStoresIsNamedBeforeAnyStarts() {
        Path data = dir.resolve("data");

        assertThatThrownBy(() -> DataDirectoryFailures.requireRoom(data, 1L << 60))
                .isInstanceOf(StartupFailure.class)
                .hasMessageStartingWith("the disk holding data directory " + data + " has ")
                .hasMessageEndingWith(" MiB free, and Kafka, the MongoDB-wire store and Redis need 1099511627776 MiB to start: free space on it, "
                        + "or choose another --data-dir (TRACK_DATA_DIR)");
        assertThat(data).doesNotExist();
    }

    @Test
    void aDiskThatFillsWhileTheStoresStartIsNamed() {
        Path data = dir.resolve("data");

        assertThatThrownBy(() -> DataDirectoryFailures.whileStarting(data, () -> {
            throw new IllegalStateException("Kafka broker 1 failed to start", new java.io.IOException("No space left on device"));
        })).isInstanceOf(StartupFailure.class)
                .hasMessage("the disk holding data directory " + data + " is full (No space left on device): free space on it, "
                        + "or choose another --data-dir (TRACK_DATA_DIR)");
        assertThatThrownBy(() -> DataDirectoryFailures.whileStarting(data, () -> {
            throw new IllegalStateException("something else");
        })).isExactlyInstanceOf(IllegalStateException.class);
        // another disk full: named, and no other data directory would help
        assertThatThrownBy(() -> DataDirectoryFailures.whileStarting(data, () -> {
            throw new java.io.UncheckedIOException(new java.nio.file.FileSystemException("/elsewhere/aot/cache", null,
                    "No space left on device"));
        })).hasMessage("the disk holding /elsewhere/aot/cache is full (No space left on device): free space on it");
    }

    @Command(name = "failing")
    static final class Failing implements Callable<Integer> {
        @CommandLine.Option(names = "--verbose")
        boolean verbose;

        @Override
        public Integer call() {
            throw new IllegalStateException("gateway exited with code 1; see data/logs/gateway.log\n\tat somewhere");
        }
    }

    @Test
    void anUnforeseenFailureIsOneLineTooWithItsStackTraceOnlyWhenAskedFor() {
        StringWriter terse = new StringWriter();
        StringWriter verbose = new StringWriter();

        int code = new CommandLine(new Failing()).setExecutionExceptionHandler(new OneLineFailures()).setErr(new PrintWriter(terse)).execute();
        new CommandLine(new Failing()).setExecutionExceptionHandler(new OneLineFailures()).setErr(new PrintWriter(verbose)).execute("--verbose");

        assertThat(code).isEqualTo(1);
        assertThat(terse.toString()).isEqualTo("track: gateway exited with code 1; see data/logs/gateway.log (--verbose for the stack trace)\n");
        assertThat(verbose.toString()).startsWith("track: gateway exited with code 1; see data/logs/gateway.log\n")
                .contains("java.lang.IllegalStateException", "at dev.trackpipeline.launcher.StartupFailuresTest$Failing.call");
    }

    /** {@code local} on free ports and the sample projects, but for the options given. */
    private String[] localWith(String... options) {
        List<String> arguments = new ArrayList<>(List.of("local", "--data-dir", dir.resolve("data").toString(),
                "--projects-file", SAMPLE_PROJECTS.toString()));
        for (String option : List.of("--kafka-port", "--kafka-controller-port", "--mongo-port", "--redis-port", "--gateway-port",
                "--writer-port", "--aggregator-port", "--gateway-management-port", "--writer-management-port", "--aggregator-management-port")) {
            arguments.addAll(List.of(option, String.valueOf(FreePorts.one())));
        }
        for (int i = 0; i < options.length; i += 2) {
            int at = arguments.indexOf(options[i]);
            if (at < 0) {
                arguments.addAll(List.of(options[i], options[i + 1]));
            } else {
                arguments.set(at + 1, options[i + 1]);
            }
        }
        return arguments.toArray(String[]::new);
    }

    /** {@code infra} on free ports in this test's data directory. */
    private String[] infraWith() {
        List<String> arguments = new ArrayList<>(List.of("infra", "--data-dir", dir.resolve("data").toString()));
        for (String option : List.of("--kafka-port", "--kafka-controller-port", "--mongo-port", "--redis-port")) {
            arguments.addAll(List.of(option, String.valueOf(FreePorts.one())));
        }
        return arguments.toArray(String[]::new);
    }

    private static Run track(String... arguments) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        java.io.PrintStream systemOut = System.out;
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            int code = TrackCommand.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(arguments);
            return new Run(code, out + printed.toString(java.nio.charset.StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(systemOut);
        }
    }
}
