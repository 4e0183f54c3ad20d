package dev.trackpipeline.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;

/**
 * Kills a child process (a redis-server, a service) when this JVM ends, however it ends: SIGKILLed
 * too, when no shutdown hook runs, or halted while still starting. Neither redis-server nor a
 * service watches its parent, and one left running holds its port, so the next run cannot start there. The guard is a shell that reads a pipe from this JVM
 * until the pipe closes, which the kernel does when the JVM ends, and then kills the process.
 */
public final class OrphanGuard implements AutoCloseable {

    private final Process guard;

    private OrphanGuard(Process guard) {
        this.guard = guard;
    }

    /**
     * Guards {@code process} until it ends while this JVM lives: then the guard stands down by
     * itself, so that it never kills a process that took the freed process id later.
     */
    public static OrphanGuard watch(Process process) {
        return watch(process.toHandle());
    }

    /** As {@link #watch(Process)}, for a process this JVM did not start itself (a library's child). */
    public static OrphanGuard watch(ProcessHandle process) {
        OrphanGuard guard;
        try {
            guard = new OrphanGuard(new ProcessBuilder("sh", "-c", "cat > /dev/null; kill -9 \"$1\" 2>/dev/null", "orphan-guard",
                    String.valueOf(process.pid())).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start());
        } catch (IOException e) {
            throw new UncheckedIOException("no shell to guard process " + process.pid() + " with", e);
        }
        process.onExit().thenRun(guard::close);
        return guard;
    }

    /** Whether the guard still watches: its shell runs. */
    boolean alive() {
        return guard.isAlive();
    }

    /**
     * Stands the guard down, leaving the process to its owner: the shell is killed before its pipe
     * closes, so it kills nothing (a process id freed later may be another's).
     */
    @Override
    public void close() {
        guard.destroyForcibly();
        try {
            guard.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                guard.getOutputStream().close();
            } catch (IOException ignored) {
                // the pipe is closed either way
            }
        }
    }
}
