package dev.trackpipeline.launcher;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * For {@code bin/track local} and {@code infra}, which replace their shell with the
 * infrastructure's JVM: the arguments that start it from its AOT cache on this java, one per line
 * ({@link AotCache#launchUnsupervised}). Not for users, hence hidden.
 */
@Command(name = "jvm-arguments", hidden = true,
        description = "Print, one per line, the arguments that start an executable jar from its AOT cache on this java.")
final class JvmArgumentsCommand implements Callable<Integer> {

    @Option(names = "--jar", required = true, description = "the Spring Boot executable jar to start")
    Path jar;

    @Option(names = "--module", defaultValue = LocalPipeline.INFRASTRUCTURE_MODULE, description = "the module the jar is built from")
    String module;

    @Parameters(arity = "0..*", description = "the JVM options it will run with, after --")
    List<String> jvmOptions = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        AotCache.forThisJvm().launchUnsupervised(jar, module, jvmOptions).forEach(System.out::println);
        return 0;
    }
}
