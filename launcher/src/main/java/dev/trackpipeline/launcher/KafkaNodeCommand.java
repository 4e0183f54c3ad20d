package dev.trackpipeline.launcher;

import dev.trackpipeline.infra.KafkaNodeMain;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * One node of the Kafka cluster {@code infra --kafka-brokers N} starts, each in a process of its
 * own: the launcher's jar holds its classes nested, so the cluster runs it through this command.
 */
@Command(name = "kafka-node", hidden = true, description = "One node of the embedded Kafka cluster (started by 'infra --kafka-brokers').")
final class KafkaNodeCommand implements Callable<Integer> {

    @Parameters(description = "<log dir> <node id> <node>..., each node id@host:port:controllerPort")
    List<String> arguments;

    @Override
    public Integer call() throws InterruptedException {
        KafkaNodeMain.main(arguments.toArray(String[]::new));
        return 0;
    }
}
