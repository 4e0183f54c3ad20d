package dev.trackpipeline.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When {@code bin/track} builds before it runs: a command needs the jars it runs, and sources no
 * newer than them. Run on a checkout of the script alone, with jars that are only names and a
 * {@code mvnw} that says it was called, so nothing is built here.
 */
class TrackScriptBuildTest {

    private static final Path HOME = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path checkout;

    private record Run(String err, boolean built) {
    }

    @BeforeEach
    void aCheckoutBuiltOnceBeforeTheBenchmarkWas() throws IOException {
        Path bin = Files.createDirectories(checkout.resolve("bin"));
        for (String script : List.of("track", "java-home")) {
            Files.copy(HOME.resolve("bin").resolve(script), bin.resolve(script));
            bin.resolve(script).toFile().setExecutable(true);
        }
        Files.writeString(checkout.resolve("mvnw"), "#!/bin/sh\ntouch \"$(dirname \"$0\")/mvnw-was-called\"\n");
        checkout.resolve("mvnw").toFile().setExecutable(true);
        Path source = Files.createDirectories(checkout.resolve("gateway/src/main/java")).resolve("Gateway.java");
        Files.writeString(source, "class Gateway {}");
        Files.setLastModifiedTime(source, FileTime.from(Instant.now().minusSeconds(3600)));
        // as Maven's reactor leaves a checkout while it runs the launcher's tests: the benchmark is built after them
        for (String module : List.of("launcher", "gateway", "consumer-writer", "consumer-aggregator", "replay")) {
            Files.writeString(Files.createDirectories(checkout.resolve(module).resolve("target")).resolve(module + "-exec.jar"), "");
        }
    }

    @Test
    void aCommandRunsWithoutBuildingWhenTheJarsItRunsAreThereAndNewerThanTheSources() throws Exception {
        for (String command : List.of("local", "infra", "check-config")) {
            assertThat(track(command).built()).as(command + ", though bench.jar is missing").isFalse();
        }
    }

    @Test
    void theBenchmarkNeedsItsJarAndBuildsWithoutIt() throws Exception {
        Run bench = track("bench");

        assertThat(bench.built()).isTrue();
        assertThat(bench.err()).startsWith("track: building (./mvnw -DskipTests package)...");
    }

    @Test
    void aSourceNewerThanTheJarsBuildsForAnyCommand() throws Exception {
        Files.setLastModifiedTime(checkout.resolve("gateway/src/main/java/Gateway.java"), FileTime.from(Instant.now().plusSeconds(60)));

        assertThat(track("check-config").built()).isTrue();
    }

    /** The command's build step; what it runs afterwards (a jar that is only a name) fails, which is not looked at. */
    private Run track(String command) throws Exception {
        Files.deleteIfExists(checkout.resolve("mvnw-was-called"));
        ProcessBuilder builder = new ProcessBuilder(checkout.resolve("bin/track").toString(), command, "--help");
        builder.environment().put("TRACK_AOT_CACHE", "off");
        Process process = builder.redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor();
        return new Run(err, Files.exists(checkout.resolve("mvnw-was-called")));
    }
}
