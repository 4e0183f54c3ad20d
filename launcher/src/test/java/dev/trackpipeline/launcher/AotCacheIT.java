package dev.trackpipeline.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A service's AOT cache: recorded by its first graceful run of a build, used by every later start
 * of that build, never half-written, and never offered to another build. Runs the gateway's real
 * jar (built by the reactor before this module), as far as its context's refresh, on this JVM.
 */
class AotCacheIT {

    private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");
    private static final List<String> JVM_OPTIONS = List.of("-Xmx256m", "-XX:+UseSerialGC");

    @TempDir
    Path target;

    /** What a start that nobody waits on told its user. */
    private final List<String> notes = new ArrayList<>();

    @Test
    void withoutItAServiceStartsFromItsJarAsBuilt() throws Exception {
        Path jar = gatewayJar();

        AotCache.Launch launch = new AotCache(JAVA, false).launch(jar, "gateway");

        assertThat(launch.arguments()).containsExactly("-jar", jar.toString());
        assertThat(target.resolve("aot")).doesNotExist();
    }

    @Test
    void theFirstGracefulRunRecordsTheCacheAndTheNextStartRunsOnIt() throws Exception {
        assumeTrue(Runtime.version().feature() >= AotCache.FIRST_JAVA_RELEASE, "AOT caches need Java 25 or newer");
        AotCache cache = new AotCache(JAVA, true);
        Path jar = gatewayJar();

        AotCache.Launch first = cache.launch(jar, "gateway", JVM_OPTIONS, notes::add);
        assertThat(first.arguments()).anyMatch(argument -> argument.startsWith("-XX:AOTCacheOutput="));
        assertThat(run(first)).isZero();
        first.keepRecording();
        assertThat(notes).as("the recording passed its check").isEmpty();

        assertThat(first.cache()).isRegularFile();
        assertThat(first.recording().orElseThrow()).doesNotExist();
        AotCache.Launch next = cache.launch(jar, "gateway");
        assertThat(next.arguments()).contains("-XX:AOTCache=" + first.cache()).noneMatch(argument -> argument.startsWith("-XX:AOTCacheOutput="));
        // AOTMode=on refuses to start when the cache cannot be mapped: exit 0 means the service ran on it.
        assertThat(run(next, "-XX:AOTMode=on")).isZero();
    }

    @Test
    void aRecordingNoJvmRunsOnIsNotKeptEvenAfterAGracefulExit() throws Exception {
        assumeTrue(Runtime.version().feature() >= AotCache.FIRST_JAVA_RELEASE, "AOT caches need Java 25 or newer");
        List<String> notesOfTheRun = new ArrayList<>();
        AotCache cache = new AotCache(JAVA, true);
        Path jar = gatewayJar();
        AotCache.Launch first = cache.launch(jar, "gateway", JVM_OPTIONS, notesOfTheRun::add);
        assertThat(run(first)).isZero();
        Path recorded = first.recording().orElseThrow();
        // as its assembling JVM would leave it, cut short
        try (var file = java.nio.channels.FileChannel.open(recorded, java.nio.file.StandardOpenOption.WRITE)) {
            file.truncate(Files.size(recorded) / 3);
        }

        first.keepRecording();

        assertThat(first.cache()).doesNotExist();
        assertThat(recorded).doesNotExist();
        assertThat(notesOfTheRun).singleElement().asString().contains(recorded.getFileName().toString(), "cannot be used");
        assertThat(cache.launch(jar, "gateway").arguments()).anyMatch(argument -> argument.startsWith("-XX:AOTCacheOutput="));
    }

    @Test
    void aServiceThatNeverAnsweredHealthyKeepsNoRecordingThoughItExitedGracefully() throws Exception {
        assumeTrue(Runtime.version().feature() >= AotCache.FIRST_JAVA_RELEASE, "AOT caches need Java 25 or newer");
        Path jar = gatewayJar();
        Path home = Path.of(System.getProperty("track.home", "..")).toAbsolutePath();
        List<String> options = new ArrayList<>(JVM_OPTIONS);
        // ends by itself once its context is refreshed, before it could answer healthy: a start cut short
        options.addAll(List.of("-Dspring.context.exit=onRefresh", "-Dspring.kafka.admin.auto-create=false"));
        ServicePorts.Ports ports = ServicePorts.Ports.free();

        try (ServiceProcess service = ServiceProcess.start("gateway", jar, ports.api(), ports.management(),
                java.util.Map.of("TRACK_PROJECTS_FILE", home.resolve("config/projects.yml").toString()), options, target.resolve("logs"))) {
            assertThatThrownBy(() -> service.awaitHealthy(Duration.ofMinutes(3))).hasMessageStartingWith("gateway exited with code 0");
        }

        AotCache.Launch next = new AotCache(JAVA, true).launch(jar, "gateway");
        assertThat(next.cache()).doesNotExist();
        assertThat(recordingsBeside(jar)).isEmpty();
        next.discardRecording();
    }

    @Test
    void aKilledRunLeavesNoCacheAndTheNextStartRecordsAgain() throws Exception {
        assumeTrue(Runtime.version().feature() >= AotCache.FIRST_JAVA_RELEASE, "AOT caches need Java 25 or newer");
        AotCache cache = new AotCache(JAVA, true);
        Path jar = gatewayJar();
        AotCache.Launch killed = cache.launch(jar, "gateway");

        Process process = start(killed);
        process.waitFor(2, TimeUnit.SECONDS);
        process.destroyForcibly().waitFor();
        killed.discardRecording();

        assertThat(killed.cache()).doesNotExist();
        try (Stream<Path> files = Files.list(killed.cache().getParent())) {
            assertThat(files).noneMatch(file -> file.getFileName().toString().contains(".recording"));
        }
        assertThat(cache.launch(jar, "gateway").arguments()).anyMatch(argument -> argument.startsWith("-XX:AOTCacheOutput="));
    }

    @Test
    void aJvmNobodyWaitsOnRecordsUnderANameOfItsOwnAndTheNextStartRunsOnWhatItRecorded() throws Exception {
        assumeTrue(Runtime.version().feature() >= AotCache.FIRST_JAVA_RELEASE, "AOT caches need Java 25 or newer");
        AotCache cache = new AotCache(JAVA, true);
        Path jar = gatewayJar();

        List<String> first = cache.launchUnsupervised(jar, "gateway", JVM_OPTIONS, notes::add);
        List<String> alongside = cache.launchUnsupervised(jar, "gateway", JVM_OPTIONS, notes::add);
        assertThat(first).anyMatch(argument -> argument.startsWith("-XX:AOTCacheOutput=") && argument.endsWith(".recording"));
        assertThat(alongside).as("a second start before the first ended records to a file of its own").doesNotContainAnyElementsOf(
                first.stream().filter(argument -> argument.startsWith("-XX:AOTCacheOutput=")).toList());
        assertThat(run(first)).isZero();
        assertThat(recordingsBeside(jar)).as("what the first run recorded").hasSize(1);

        List<String> next = cache.launchUnsupervised(jar, "gateway", JVM_OPTIONS, notes::add);
        assertThat(next).anyMatch(argument -> argument.startsWith("-XX:AOTCache=")).noneMatch(argument -> argument.startsWith("-XX:AOTCacheOutput="));
        assertThat(run(next, "-XX:AOTMode=on")).as("a JVM that cannot map the cache refuses to start").isZero();
        assertThat(recordingsBeside(jar)).as("recordings left once one became the cache").isEmpty();
    }

    @Test
    void aRecordingNoJvmCanRunOnIsRemovedAndTheNextStartRecordsAgain() throws Exception {
        assumeTrue(Runtime.version().feature() >= AotCache.FIRST_JAVA_RELEASE, "AOT caches need Java 25 or newer");
        AotCache cache = new AotCache(JAVA, true);
        Path jar = gatewayJar();
        String output = cache.launchUnsupervised(jar, "gateway", JVM_OPTIONS, notes::add).stream()
                .filter(argument -> argument.startsWith("-XX:AOTCacheOutput=")).findFirst().orElseThrow();
        Path killedRun = Path.of(output.substring("-XX:AOTCacheOutput=".length()));
        Files.writeString(killedRun, "the first bytes of a cache");

        List<String> whileBeingWritten = cache.launchUnsupervised(jar, "gateway", JVM_OPTIONS, notes::add);
        assertThat(killedRun).as("a recording seconds old may still be being written").exists();
        assertThat(notes).singleElement().asString().contains(killedRun.getFileName().toString(), "cannot be used yet");
        assertThat(whileBeingWritten).anyMatch(argument -> argument.startsWith("-XX:AOTCacheOutput=")).noneMatch(argument -> argument.startsWith("-XX:AOTCache="));

        Files.setLastModifiedTime(killedRun, FileTime.from(Instant.now().minus(Duration.ofHours(1))));
        List<String> next = cache.launchUnsupervised(jar, "gateway", JVM_OPTIONS, notes::add);

        assertThat(killedRun).as("an hour old, it is a killed run's leftover").doesNotExist();
        assertThat(next).anyMatch(argument -> argument.startsWith("-XX:AOTCacheOutput=")).noneMatch(argument -> argument.startsWith("-XX:AOTCache="));
    }

    @Test
    void withoutItAJvmNobodyWaitsOnStartsFromItsJarAsBuilt() throws Exception {
        Path jar = gatewayJar();

        assertThat(new AotCache(JAVA, false).launchUnsupervised(jar, "gateway", JVM_OPTIONS, notes::add)).containsExactly("-jar", jar.toString());
        assertThat(target.resolve("aot")).doesNotExist();
    }

    @Test
    void optionsThatChooseACacheOfTheirOwnAreLeftToIt() throws Exception {
        Path jar = gatewayJar();

        for (String own : List.of("-XX:AOTCache=/tmp/mine.aot", "-XX:AOTMode=off", "-XX:SharedArchiveFile=/tmp/app.jsa", "-Xshare:off")) {
            assertThat(new AotCache(JAVA, true).launchUnsupervised(jar, "gateway", List.of("-Xmx256m", own), notes::add))
                    .as(own).containsExactly("-jar", jar.toString());
        }
        assertThat(target.resolve("aot")).doesNotExist();
    }

    @Test
    void binTrackStartsFromTheJarSayingWhyWhenNoCacheCanBeHad() throws Exception {
        Path notAJar = Files.writeString(target.resolve("launcher-exec.jar"), "not a jar");
        Path output = target.resolve("arguments");
        var err = new java.io.StringWriter();

        int exit = new picocli.CommandLine(new TrackCommand()).setErr(new java.io.PrintWriter(err))
                .execute("jvm-arguments", "--jar", notAJar.toString(), "--output", output.toString(), "--", "-Xmx256m");

        assertThat(exit).isZero();
        assertThat(Files.readAllLines(output)).containsExactly("-jar", notAJar.toString());
        if (Runtime.version().feature() >= AotCache.FIRST_JAVA_RELEASE) {
            assertThat(err.toString()).contains("starting launcher-exec.jar without an AOT cache", "could not extract", "TRACK_AOT_CACHE=off");
        } else {
            assertThat(err.toString()).as("before Java 25 there is no cache to miss").isEmpty();
        }
    }

    private List<Path> recordingsBeside(Path jar) throws IOException {
        try (Stream<Path> files = Files.walk(jar.getParent().resolve("aot"))) {
            return files.filter(file -> file.getFileName().toString().endsWith(".recording")).toList();
        }
    }

    @Test
    void aCacheAnotherVersionOfTheJvmRecordedIsNotOfferedAndThisVersionRecordsItsOwn() throws Exception {
        AotCache cache = new AotCache(JAVA, true);
        Path jar = gatewayJar();
        Path build = cache.launch(jar, "gateway").cache().getParent();
        Path anotherVersions = build.resolve("gateway.25.0.1+8-LTS.aot");
        Files.writeString(anotherVersions, "recorded by another JVM");

        AotCache.Launch launch = cache.launch(jar, "gateway");

        assertThat(launch.cache().getFileName().toString()).isEqualTo("gateway." + Runtime.version() + ".aot");
        assertThat(launch.arguments()).anyMatch(argument -> argument.startsWith("-XX:AOTCacheOutput="))
                .noneMatch(argument -> argument.contains(anotherVersions.getFileName().toString()));
        launch.discardRecording();
    }

    @Test
    void aRebuiltJarGetsADirectoryOfItsOwnAndTheOldBuildsIsRemoved() throws Exception {
        AotCache cache = new AotCache(JAVA, true);
        Path jar = gatewayJar();
        Path oldBuild = cache.launch(jar, "gateway").cache().getParent();

        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(60)));
        Path newBuild = cache.launch(jar, "gateway").cache().getParent();

        assertThat(newBuild).isNotEqualTo(oldBuild).isDirectory();
        assertThat(newBuild.resolve(jar.getFileName())).isRegularFile();
        assertThat(oldBuild).doesNotExist();
    }

    @Test
    void aJarThatCannotBeExtractedIsRefusedNamingTheWayOut() throws Exception {
        Path notAJar = Files.writeString(target.resolve("gateway-exec.jar"), "not a jar");

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new AotCache(JAVA, true).launch(notAJar, "gateway"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("could not extract").hasMessageContaining("TRACK_AOT_CACHE=off");
        try (Stream<Path> left = Files.list(target.resolve("aot"))) {
            assertThat(left).as("no half-extracted directory is left").isEmpty();
        }
    }

    /** A copy of the gateway's jar in this test's own target directory, so its caches touch no other test's. */
    private Path gatewayJar() throws IOException {
        Path home = Path.of(System.getProperty("track.home", ".."));
        return Files.copy(home.resolve("gateway/target/gateway-exec.jar"), target.resolve("gateway-exec.jar"));
    }

    private int run(AotCache.Launch launch, String... options) throws Exception {
        return run(launch.arguments(), options);
    }

    private int run(List<String> arguments, String... options) throws Exception {
        Process process = start(arguments, options);
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("the gateway did not stop after its context's refresh");
        }
        return process.exitValue();
    }

    private Process start(AotCache.Launch launch, String... options) throws IOException {
        return start(launch.arguments(), options);
    }

    private Process start(List<String> arguments, String... options) throws IOException {
        List<String> command = new ArrayList<>(List.of(JAVA.toString()));
        command.addAll(JVM_OPTIONS);
        command.addAll(List.of(options));
        // Only as far as the context's refresh, and without creating topics: no broker runs here.
        command.addAll(List.of("-Dspring.context.exit=onRefresh", "-Dspring.kafka.admin.auto-create=false"));
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(target.resolve("gateway-" + System.nanoTime() + ".log").toFile());
        Path home = Path.of(System.getProperty("track.home", "..")).toAbsolutePath();
        builder.environment().put("TRACK_PROJECTS_FILE", home.resolve("config/projects.yml").toString());
        return builder.start();
    }
}
