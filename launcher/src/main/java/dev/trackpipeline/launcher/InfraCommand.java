package dev.trackpipeline.launcher;

import dev.trackpipeline.infra.EmbeddedInfrastructure;
import dev.trackpipeline.infra.InfrastructureSettings;
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

    @Mixin
    VerboseOption verbose;

    @Override
    public Integer call() throws Exception {
        InfrastructureSettings settings = options.settings();
        DataDirectoryFailures.requireUsable(settings);
        PortsInUse.requireFree(PortsInUse.ofInfrastructure(settings));
        DataDirectoryFailures.requireRoom(settings, DataDirectoryFailures.MIN_FREE_BYTES);
        // Ctrl-C from the first moment: a stop while the stores start waits for them and closes them
        LocalPipeline.StartedSoFar soFar = new LocalPipeline.StartedSoFar();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            soFar.stop();
            stopped.countDown();
        }, "track-infra-shutdown"));
        var running = soFar.unlessStopped(
                () -> DataDirectoryFailures.whileStarting(settings.dataDir(), () -> soFar.start(() -> EmbeddedInfrastructure.start(settings))));
        if (running.isEmpty()) {
            return LocalPipeline.StartedSoFar.STOPPED_WHILE_STARTING;
        }
        EmbeddedInfrastructure infra = running.get();
        infra.components().forEach(component -> ReadyLines.print(component.name(), component.address(),
                component.embedded() ? "embedded" : "external"));
        System.out.println("infrastructure ready; Ctrl-C stops it");
        stopped.await();
        return 0;
    }
}
