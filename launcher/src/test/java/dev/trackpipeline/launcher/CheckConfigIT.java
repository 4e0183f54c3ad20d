package dev.trackpipeline.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/track check-config} as the built jar runs it, with the libraries it ships: the unit
 * tests' class path once held the YAML reader the jar lacked.
 */
class CheckConfigIT {

    static final Path JAR = Path.of("target", "launcher-exec.jar").toAbsolutePath();

    @TempDir
    Path dir;

    @Test
    void theBuiltJarChecksAProjectsFile() throws Exception {
        Path valid = Path.of("..", "config", "projects.yml").toAbsolutePath().normalize();
        Path invalid = Files.writeString(dir.resolve("projects.yml"), "projects:\n  - apikey: shop\n    readToken: \"\"\n");

        List<String> ok = run(valid);
        List<String> refused = run(invalid);

        assertThat(ok).containsExactly("0", "projects file " + valid + ": valid, 1 project (demo-project)", "");
        assertThat(refused).containsExactly("2", "", "track: projects file " + invalid + ", line 3 (projects[0].readToken): readToken: is required");
    }

    /** Exit code, stdout and stderr (each trimmed) of check-config on {@code file}. */
    private static List<String> run(Path file) throws Exception {
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString(),
                "check-config", "--projects-file", file.toString()).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return List.of(String.valueOf(process.exitValue()), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim(),
                new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim());
    }
}
