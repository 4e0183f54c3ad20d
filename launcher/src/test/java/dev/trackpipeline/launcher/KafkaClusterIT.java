package dev.trackpipeline.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trackpipeline.infra.InfrastructureSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Node;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/track infra --kafka-brokers 3}, from the launcher's jar: three KRaft brokers, each a
 * process of its own, on ports counted up in twos, and none outliving the infrastructure that
 * started them, however it ends.
 */
class KafkaClusterIT {

    @TempDir
    Path dataDir;

    @Test
    void startsThreeBrokersInProcessesOfTheirOwnThatDieWithTheInfrastructure() throws Exception {
        Path home = Path.of(System.getProperty("track.home", ".."));
        int kafkaPort = TestPipelines.sixFreePortsFrom();
        int controllerPort = kafkaPort + 1;
        // Mongo and Redis named as external servers: only Kafka starts.
        Map<String, String> others = Map.of("MONGODB_URI", "mongodb://127.0.0.1:1/track", "REDIS_HOST", "127.0.0.1", "REDIS_PORT", "1");
        InfraProcess infra = InfraProcess.start("kafka-cluster", home, List.of("--data-dir", dataDir.toString(), "--kafka-brokers", "3",
                "--kafka-port", String.valueOf(kafkaPort), "--kafka-controller-port", String.valueOf(controllerPort)), others,
                dataDir.resolve("logs"));
        try {
            List<ProcessHandle> nodes = infra.children();
            assertThat(nodes).hasSize(3);
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", "127.0.0.1:" + kafkaPort))) {
                assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).extracting(Node::port)
                        .containsExactlyInAnyOrder(kafkaPort, kafkaPort + 2, kafkaPort + 4);
            }

            infra.killAlone();

            await().atMost(Duration.ofSeconds(60)).until(() -> nodes.stream().noneMatch(ProcessHandle::isAlive));
        } finally {
            infra.kill();
        }
    }
}
