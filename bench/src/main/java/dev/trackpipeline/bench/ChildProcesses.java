package dev.trackpipeline.bench;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The services a run starts are processes of their own; a JVM does not take its children with it.
 * If the run is stopped early (Ctrl-C during a 30-minute soak), they get SIGTERM too, instead of
 * living on without their Kafka.
 */
final class ChildProcesses {

    private ChildProcesses() {
    }

    /**
     * Asks {@code process} to stop (SIGTERM) and waits up to {@code grace}; past it, kills it and
     * whatever it started (a JVM killed cannot stop its redis-server, which would live on). Returns
     * whether it stopped when asked.
     */
    static boolean stop(Process process, Duration grace) throws InterruptedException {
        List<ProcessHandle> started = process.descendants().toList();
        process.destroy();
        if (process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            return true;
        }
        process.destroyForcibly().waitFor();
        for (ProcessHandle child : started) {
            child.destroyForcibly();
            child.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(timedOut -> child).join();
        }
        return false;
    }

    static void stopWhenThisProcessStops() {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> ProcessHandle.current().descendants().forEach(ProcessHandle::destroy),
                "stop-child-processes"));
    }
}
