package dev.trackpipeline.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The fit check starts a JVM on a recording with the options that decide whether the service's JVM would map it. */
class AotCacheFitOptionsTest {

    @Test
    void heapGcAndModuleOptionsGoToTheCheckAndNothingThatRecordsOrWrites() {
        assertThat(AotCache.optionsDecidingTheFit(List.of("-Xmx256m", "-XX:+UseSerialGC", "--enable-native-access=ALL-UNNAMED",
                "-Dtrack.x=1", "-XX:StartFlightRecording=filename=x.jfr", "-verbose:gc", "-XX:FlightRecorderOptions=stackdepth=96",
                "-XX:+LogVMOutput", "-XX:LogFile=vm.log", "-XX:+HeapDumpOnOutOfMemoryError", "-XX:HeapDumpPath=/tmp/x",
                "-XX:ErrorFile=/tmp/err.log", "-XX:+PrintCompilation")))
                .containsExactly("-Xmx256m", "-XX:+UseSerialGC", "--enable-native-access=ALL-UNNAMED");
    }

    @Test
    void aModuleOptionGivenAsTwoWordsGoesWithItsValue() {
        assertThat(AotCache.optionsDecidingTheFit(List.of("--add-opens", "java.base/java.nio=ALL-UNNAMED", "-Dtrack.x=1",
                "--add-modules", "jdk.incubator.vector", "--enable-native-access", "ALL-UNNAMED")))
                .containsExactly("--add-opens", "java.base/java.nio=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector",
                        "--enable-native-access", "ALL-UNNAMED");
    }

    @Test
    void aTwoWordOptionCutShortAtTheEndIsLeftOut() {
        assertThat(AotCache.optionsDecidingTheFit(List.of("-Xmx256m", "--add-opens"))).containsExactly("-Xmx256m");
    }
}
