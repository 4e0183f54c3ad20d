package dev.trackpipeline.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A child that does not stop when asked is killed, and so is what it started: the infrastructure's
 * JVM, killed after a minute of closing a large store, left its redis-server running.
 */
class ChildProcessesTest {

    @Test
    void aChildThatIgnoresTheRequestIsKilledWithWhatItStarted() throws Exception {
        // A shell ignoring SIGTERM, with a grandchild that inherits the ignoring.
        Process shell = new ProcessBuilder("bash", "-c", "trap '' TERM; sleep 300 & wait").start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<ProcessHandle> started = shell.descendants().toList();
        while (started.isEmpty() && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(50);
            started = shell.descendants().toList();
        }
        assertThat(started).isNotEmpty();

        boolean stoppedWhenAsked = ChildProcesses.stop(shell, Duration.ofMillis(500));

        assertThat(stoppedWhenAsked).isFalse();
        assertThat(shell.isAlive()).isFalse();
        assertThat(started).noneMatch(ProcessHandle::isAlive);
    }

    @Test
    void aChildThatStopsWhenAskedIsNotKilled() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "300").start();

        assertThat(ChildProcesses.stop(sleeper, Duration.ofSeconds(10))).isTrue();
        assertThat(sleeper.isAlive()).isFalse();
    }
}
