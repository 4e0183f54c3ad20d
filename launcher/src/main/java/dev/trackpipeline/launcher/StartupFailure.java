package dev.trackpipeline.launcher;

/**
 * What stops {@code bin/track} before anything runs, said in one line that names what is wrong and
 * how to change it: printed alone, without a stack trace (unless {@code --verbose}).
 */
final class StartupFailure extends RuntimeException {

    StartupFailure(String message) {
        super(message);
    }

    StartupFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
