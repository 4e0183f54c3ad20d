package dev.trackpipeline.launcher;

import dev.trackpipeline.infra.EmbeddedInfrastructure;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "infra", mixinStandardHelpOptions = true,
        description = "Run the embedded Kafka broker, MongoDB-wire server and Redis until stopped. "
                + "Any of them named by KAFKA_BOOTSTRAP_SERVERS, MONGODB_URI or REDIS_HOST/REDIS_PORT is not started.")
final class InfraCommand implements Callable<Integer> {

    @Mixin
    InfraOptions options;

    @picocli.CommandLine.Option(names = "--verbose", description = "On a failure to start, print its stack trace too.")
    boolean verbose;

    @Override
    public Integer call() throws InterruptedException {
        PortsInUse.requireFree(PortsInUse.ofInfrastructure(options.settings()));
        EmbeddedInfrastructure infra = EmbeddedInfrastructure.start(options.settings());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            infra.close();
            stopped.countDown();
        }, "track-infra-shutdown"));
        infra.components().forEach(component -> ReadyLines.print(component.name(), component.address(),
                component.embedded() ? "embedded" : "external"));
        System.out.println("infrastructure ready; Ctrl-C stops it");
        stopped.await();
        return 0;
    }
}
