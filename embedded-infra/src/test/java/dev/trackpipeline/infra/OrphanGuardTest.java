package dev.trackpipeline.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A native process started by a JVM (here {@code sleep}, standing for a redis-server) ends with
 * that JVM, even one SIGKILLed, which runs no shutdown hook; and outlives a guard stood down.
 */
class OrphanGuardTest {

    /** Starts a guarded {@code sleep}, prints its process id, and waits to be killed. */
    static final class GuardedSleepMain {

        public static void main(String[] args) throws Exception {
            Process sleeper = new ProcessBuilder("sleep", "600").start();
            OrphanGuard.watch(sleeper);
            System.out.println("guarded " + sleeper.pid());
            System.out.flush();
            Thread.sleep(600_000);
        }
    }

    @Test
    void theGuardedProcessEndsWithAJvmKilledWithoutShutdownHooks() throws Exception {
        Process jvm = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), GuardedSleepMain.class.getName()).redirectErrorStream(true).start();
        long sleeper;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8))) {
            // the JVM may say other things first (JAVA_TOOL_OPTIONS picked up)
            String line = out.readLine();
            while (line != null && !line.startsWith("guarded ")) {
                line = out.readLine();
            }
            assertThat(line).as("the child's guarded process id").isNotNull();
            sleeper = Long.parseLong(line.substring("guarded ".length()).trim());
            assertThat(ProcessHandle.of(sleeper)).as("the guarded process, running").hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());

            jvm.destroyForcibly();
            assertThat(jvm.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            jvm.destroyForcibly();
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> ProcessHandle.of(sleeper).map(handle -> !handle.isAlive()).orElse(true));
    }

    /** A process that ends while the JVM lives frees its id for another: its guard stands down, so never kills that one. */
    @Test
    void aGuardStandsDownWhenItsProcessEnds() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "600").start();
        OrphanGuard guard = OrphanGuard.watch(sleeper);

        sleeper.destroyForcibly().waitFor();

        await().atMost(Duration.ofSeconds(10)).until(() -> !guard.alive());
    }

    @Test
    void aGuardStoodDownLeavesTheProcessToItsOwner() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "600").start();
        try {
            OrphanGuard.watch(sleeper).close();

            assertThat(sleeper.waitFor(2, TimeUnit.SECONDS)).as("ended by the guard stood down").isFalse();
        } finally {
            sleeper.destroyForcibly();
        }
    }
}
