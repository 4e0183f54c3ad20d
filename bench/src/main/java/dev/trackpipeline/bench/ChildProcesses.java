package dev.trackpipeline.bench;

/**
 * The services a run starts are processes of their own; a JVM does not take its children with it.
 * If the run is stopped early (Ctrl-C during a 30-minute soak), they get SIGTERM too, instead of
 * living on without their Kafka.
 */
final class ChildProcesses {

    private ChildProcesses() {
    }

    static void stopWhenThisProcessStops() {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> ProcessHandle.current().descendants().forEach(ProcessHandle::destroy),
                "stop-child-processes"));
    }
}
