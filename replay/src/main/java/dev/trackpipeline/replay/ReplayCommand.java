package dev.trackpipeline.replay;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/track replay}: the analysts' tool over the raw event topics. */
@Command(name = "replay", mixinStandardHelpOptions = true, version = "track-pipeline replay 0.1.0",
        description = "Read the raw events Kafka keeps (7 days by default) without knowing Kafka's tools.",
        subcommands = {ExportCommand.class, TopicsCommand.class, RebuildCommand.class, RedriveCommand.class})
public final class ReplayCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command with its error handling, for {@code main} and for tests that run it in-process. */
    public static CommandLine commandLine() {
        return new CommandLine(new ReplayCommand())
                .setExecutionExceptionHandler((exception, command, parseResult) -> {
                    command.getErr().println("replay: " + exception.getMessage());
                    return exception instanceof ReplayException replay ? replay.exitCode() : 1;
                });
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
