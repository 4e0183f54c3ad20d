package dev.trackpipeline.launcher;

import picocli.CommandLine.Option;

/** {@code --verbose}, for the commands whose failures {@link OneLineFailures} says in one line: it reads the option where it was given. */
final class VerboseOption {

    @Option(names = "--verbose", description = "On a failure, print its stack trace too.")
    boolean verbose;
}
