package dev.trackpipeline.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The infrastructure JVM's options, the same from bin/track and from the benchmark (an AOT cache maps only with its own). */
class InfraJvmOptionsTest {

    @Test
    void fromJava24TheLibrariesOwnUsesAreAllowedBesideWhatIsConfigured() {
        assertThat(LocalPipeline.infraJvmOptions(LocalPipeline.DEFAULT_INFRA_JVM_OPTIONS, 25)).containsExactly(
                "-Xmx768m", "-XX:+ExitOnOutOfMemoryError", "--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED");
        assertThat(LocalPipeline.infraJvmOptions("  -Xmx1g  ", 17)).containsExactly("-Xmx1g");
        assertThat(LocalPipeline.infraJvmOptions("", 24)).containsExactlyElementsOf(LocalPipeline.INFRA_MODULE_OPTIONS);
    }

    @Test
    void binTrackAddsTheSameModuleOptions() throws Exception {
        String script = Files.readString(Path.of("..", "bin", "track"));

        assertThat(script).contains("infra_options+=(" + String.join(" ", LocalPipeline.INFRA_MODULE_OPTIONS) + ")");
    }
}
