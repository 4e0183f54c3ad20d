package dev.trackpipeline.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When {@code bin/track} builds before it runs: when a jar the command runs is missing, or a
 * source is newer than the jars. Run on a checkout of the script alone, with jars that are only
 * names, a JDK whose {@code java} does nothing and a {@code mvnw} that only says it was called:
 * nothing is built or started here, and the machine's own JDKs play no part.
 */
class TrackScriptBuildTest {

    private static final Path HOME = Path.of("..").toAbsolutePath().normalize();
    private static final List<String> MODULES = List.of("launcher", "gateway", "consumer-writer", "consumer-aggregator", "replay", "bench");
    /** The jars each command runs (bench: the benchmark runs every stage and the analysts' tool). */
    private static final Map<String, List<String>> RUNS = Map.of(
            "local", List.of("launcher", "gateway", "consumer-writer", "consumer-aggregator"),
            "infra", List.of("launcher", "gateway", "consumer-writer", "consumer-aggregator"),
            "check-config", List.of("launcher"),
            "gateway", List.of("launcher", "gateway"),
            "writer", List.of("launcher", "consumer-writer"),
            "aggregator", List.of("launcher", "consumer-aggregator"),
            "replay", List.of("replay"),
            "bench", MODULES);

    @TempDir
    Path checkout;

    private record Run(int exit, String err, boolean built) {
    }

    @BeforeEach
    void aCheckoutBuiltOnce() throws IOException {
        Path bin = Files.createDirectories(checkout.resolve("bin"));
        Files.copy(HOME.resolve("bin/track"), bin.resolve("track"));
        Path jdk = Files.createDirectories(checkout.resolve("jdk/bin"));
        executable(jdk.resolve("java"), "#!/bin/sh\nexit 0\n");
        executable(bin.resolve("java-home"), "#!/bin/sh\necho '" + jdk.getParent() + "'\n");
        executable(checkout.resolve("mvnw"), "#!/bin/sh\ntouch \"$(dirname \"$0\")/mvnw-was-called\"\n");
        Path source = Files.createDirectories(checkout.resolve("gateway/src/main/java")).resolve("Gateway.java");
        Files.writeString(source, "class Gateway {}");
        Files.setLastModifiedTime(source, FileTime.from(Instant.now().minusSeconds(3600)));
        for (String module : MODULES) {
            Files.writeString(Files.createDirectories(checkout.resolve(module).resolve("target")).resolve(jarName(module)), "");
        }
    }

    @Test
    void eachCommandBuildsWhenAJarItRunsIsMissingAndNeverForAJarItDoesNotRun() throws Exception {
        for (String command : RUNS.keySet()) {
            for (String module : MODULES) {
                Path jar = checkout.resolve(module).resolve("target").resolve(jarName(module));
                Files.delete(jar);

                Run run = track(command);

                assertThat(run.exit()).as(command).isZero();
                assertThat(run.built()).as(command + " without " + jar.getFileName()).isEqualTo(RUNS.get(command).contains(module));
                Files.writeString(jar, "");
            }
        }
    }

    @Test
    void aSourceNewerThanTheJarsBuildsForAnyCommandAndSaysSo() throws Exception {
        Files.setLastModifiedTime(checkout.resolve("gateway/src/main/java/Gateway.java"), FileTime.from(Instant.now().plusSeconds(60)));

        Run run = track("check-config");

        assertThat(run.built()).isTrue();
        assertThat(run.err()).startsWith("track: building (./mvnw -DskipTests package)...");
    }

    @Test
    void trackNoBuildRunsTheJarsAsTheyAre() throws Exception {
        Files.delete(checkout.resolve("gateway/target/gateway-exec.jar"));

        assertThat(track("local", Map.of("TRACK_NO_BUILD", "1")).built()).isFalse();
    }

    private Run track(String command) throws Exception {
        return track(command, Map.of());
    }

    private Run track(String command, Map<String, String> environment) throws Exception {
        Files.deleteIfExists(checkout.resolve("mvnw-was-called"));
        ProcessBuilder builder = new ProcessBuilder(checkout.resolve("bin/track").toString(), command, "--help")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(checkout.resolve("err").toFile());
        builder.environment().keySet().removeAll(List.of("TRACK_NO_BUILD", "TRACK_JAVA_HOME"));
        builder.environment().putAll(environment);
        Process process = builder.start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("bin/track " + command + " did not end within 30 s");
        }
        return new Run(process.exitValue(), Files.readString(checkout.resolve("err"), StandardCharsets.UTF_8),
                Files.exists(checkout.resolve("mvnw-was-called")));
    }

    private static String jarName(String module) {
        return module.equals("bench") ? "bench.jar" : module + "-exec.jar";
    }

    private static void executable(Path file, String script) throws IOException {
        Files.writeString(file, script);
        file.toFile().setExecutable(true);
    }
}
