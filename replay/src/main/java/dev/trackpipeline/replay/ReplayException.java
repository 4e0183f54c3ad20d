package dev.trackpipeline.replay;

/** A failure the user can act on, with the message to show and the exit code to return. */
final class ReplayException extends RuntimeException {

    static final int USAGE = 2;
    static final int UNAVAILABLE = 1;

    private final int exitCode;

    ReplayException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
