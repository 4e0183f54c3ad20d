package dev.trackpipeline.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;

/**
 * Kills a native process (a redis-server) when this JVM ends, however it ends: SIGKILLed too, when
 * no shutdown hook runs. redis-server does not watch its parent, and one left running holds its
 * port, so the next run cannot start there. The guard is a shell that reads a pipe from this JVM
 * until the pipe closes, which the kernel does when the JVM ends, and then kills the process.
 */
final class OrphanGuard implements AutoCloseable {

    private final Process guard;

    private OrphanGuard(Process guard) {
        this.guard = guard;
    }

    /**
     * Guards {@code process} until it ends while this JVM lives: then the guard stands down by
     * itself, so that it never kills a process that took the freed process id later.
     */
    static OrphanGuard watch(Process process) {
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
