package dev.trackpipeline.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcessUsageTest {

    @Test
    void readsTheCpuOfThisJvmsJitCompilersWhichAreAPartOfItsWholeCpu() {
        // a test JVM that has loaded JUnit and AssertJ has compiled something already
        ProcessUsage usage = ProcessUsage.of(List.of(ProcessHandle.current()));

        assertThat(usage.compilerCpu()).isPositive();
        assertThat(usage.compilerCpu()).isLessThanOrEqualTo(usage.cpu());
        assertThat(usage.peakRssKiB()).isPositive();
    }

    @Test
    void aProcessThatHasEndedHasNoCompilerCpu() throws Exception {
        Process ended = new ProcessBuilder("true").start();
        ended.waitFor();

        assertThat(ProcessUsage.compilerCpu(ended.pid())).isEqualTo(Duration.ZERO);
    }
}
