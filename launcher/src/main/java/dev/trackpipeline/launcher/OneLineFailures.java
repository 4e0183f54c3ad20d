package dev.trackpipeline.launcher;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * How {@code bin/track} ends on a failure: one line on stderr, {@code track: } and what is wrong,
 * and exit code 2 for a {@link StartupFailure} (something to change) or 1 otherwise; the stack trace
 * only with {@code --verbose}.
 */
final class OneLineFailures implements IExecutionExceptionHandler {

    static final int CHANGE_SOMETHING = 2;

    @Override
    public int handleExecutionException(Exception failure, CommandLine command, ParseResult parsed) {
        boolean verbose = verbose(parsed);
        String message = failure.getMessage() == null ? failure.getClass().getName() : failure.getMessage().lines().findFirst().orElse("");
        command.getErr().println("track: " + message + (verbose || failure instanceof StartupFailure ? "" : " (--verbose for the stack trace)"));
        if (verbose) {
            failure.printStackTrace(command.getErr());
        }
        command.getErr().flush();
        return failure instanceof StartupFailure ? CHANGE_SOMETHING : 1;
    }

    private static boolean verbose(ParseResult parsed) {
        for (ParseResult result = parsed; result != null; result = result.subcommand()) {
            if (result.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }
}
