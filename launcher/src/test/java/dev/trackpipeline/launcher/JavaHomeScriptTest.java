package dev.trackpipeline.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/java-home}: which JDK bin/track and .ci/run run and build with. */
class JavaHomeScriptTest {

    private static final Path HOME = Path.of("..").toAbsolutePath().normalize();

    private record Answer(int exit, String out, String err) {
    }

    @Test
    void picksAJdkOfRelease17OrNewerThatCanAlsoBuild() throws Exception {
        Answer answer = javaHome(Map.of());

        assertThat(answer.exit()).isZero();
        Path jdk = Path.of(answer.out().strip());
        assertThat(jdk.resolve("bin/java")).isExecutable();
        assertThat(jdk.resolve("bin/javac")).isExecutable();
        assertThat(releaseOf(jdk)).isGreaterThanOrEqualTo(17);
    }

    @Test
    void takesTheJdkNamedByTrackJavaHome() throws Exception {
        String thisJdk = System.getProperty("java.home");

        Answer answer = javaHome(Map.of("TRACK_JAVA_HOME", thisJdk));

        assertThat(answer.exit()).isZero();
        assertThat(answer.out().strip()).isEqualTo(thisJdk);
    }

    @Test
    void refusesATrackJavaHomeThatHoldsNoJdkNamingIt(@TempDir Path notAJdk) throws Exception {
        Files.createDirectories(notAJdk.resolve("bin"));

        Answer answer = javaHome(Map.of("TRACK_JAVA_HOME", notAJdk.toString()));

        assertThat(answer.exit()).isEqualTo(2);
        assertThat(answer.out()).isEmpty();
        assertThat(answer.err()).isEqualTo("track: TRACK_JAVA_HOME=" + notAJdk + " is not a JDK (no bin/java and bin/javac): point it at a "
                + "JDK 17 or newer, 25 preferred\n");
    }

    @Test
    void refusesAJdkOlderThan17NamingItsRelease(@TempDir Path oldJdk) throws Exception {
        Path bin = Files.createDirectories(oldJdk.resolve("bin"));
        Files.writeString(bin.resolve("java"), "#!/bin/sh\necho 'openjdk version \"11.0.22\" 2024-01-16' >&2\n");
        Files.writeString(bin.resolve("javac"), "#!/bin/sh\n");
        for (String tool : List.of("java", "javac")) {
            bin.resolve(tool).toFile().setExecutable(true);
        }

        Answer answer = javaHome(Map.of("TRACK_JAVA_HOME", oldJdk.toString()));

        assertThat(answer.exit()).isEqualTo(2);
        assertThat(answer.out()).isEmpty();
        assertThat(answer.err()).isEqualTo("track: TRACK_JAVA_HOME=" + oldJdk + " is Java 11, and track-pipeline needs 17 or newer: point it "
                + "at a JDK 17 or newer, 25 preferred\n");
    }

    private static Answer javaHome(Map<String, String> environment) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(HOME.resolve("bin/java-home").toString());
        builder.environment().remove("TRACK_JAVA_HOME");
        builder.environment().putAll(environment);
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Answer(process.waitFor(), out, err);
    }

    private static int releaseOf(Path jdk) throws IOException, InterruptedException {
        Process version = new ProcessBuilder(jdk.resolve("bin/java").toString(), "-XshowSettings:properties", "-version")
                .redirectErrorStream(true).start();
        String settings = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        version.waitFor();
        String spec = settings.lines().filter(line -> line.strip().startsWith("java.specification.version ="))
                .findFirst().orElseThrow().split("=")[1].strip();
        return Integer.parseInt(spec);
    }
}
