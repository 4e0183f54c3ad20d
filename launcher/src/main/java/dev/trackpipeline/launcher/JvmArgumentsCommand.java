package dev.trackpipeline.launcher;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * For {@code bin/track local} and {@code infra}, which replace their shell with the
 * infrastructure's JVM: the arguments that start it from its AOT cache on this java, one per line
 * ({@link AotCache#launchUnsupervised}). The cache only shortens the first minute, so when it
 * cannot be had (a read-only checkout, a full disk) the JVM starts from its jar, saying why.
 * Not for users, hence hidden.
 */
@Command(name = "jvm-arguments", hidden = true,
        description = "Write, one per line, the arguments that start an executable jar from its AOT cache on this java.")
final class JvmArgumentsCommand implements Callable<Integer> {

    @Option(names = "--jar", required = true, description = "the Spring Boot executable jar to start")
    Path jar;

    @Option(names = "--module", defaultValue = LocalPipeline.INFRASTRUCTURE_MODULE, description = "the module the jar is built from")
    String module;

    @Option(names = "--output", required = true, description = "the file to write them to (stdout is the JVM options' to use)")
    Path output;

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..*", description = "the JVM options it will run with, after --")
    List<String> jvmOptions = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        List<String> arguments;
        try {
            arguments = AotCache.forThisJvm().launchUnsupervised(jar, module, jvmOptions, note -> err.println("track: " + note));
        } catch (Exception e) {
            err.println("track: starting " + jar.getFileName() + " without an AOT cache (" + e.getMessage()
                    + "); TRACK_AOT_CACHE=off skips this step");
            arguments = List.of("-jar", jar.toString());
        }
        err.flush();
        Files.write(output, arguments);
        return 0;
    }
}
