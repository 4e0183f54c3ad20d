package dev.trackpipeline.launcher;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/track}: the one entry point (the script runs the three services' jars itself). */
@Command(name = "track", mixinStandardHelpOptions = true, version = "track-pipeline 0.1.0",
        description = "Kafka-buffered ingestion for web-see browser monitoring events.",
        subcommands = {LocalCommand.class, InfraCommand.class, CheckConfigCommand.class, JvmArgumentsCommand.class, KafkaNodeCommand.class})
public final class TrackCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line {@code bin/track} runs, failures said in one line ({@link OneLineFailures}). */
    static CommandLine commandLine() {
        return new CommandLine(new TrackCommand()).setExecutionExceptionHandler(new OneLineFailures());
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
