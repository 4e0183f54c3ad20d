package dev.trackpipeline.replay;

import dev.trackpipeline.model.infra.InfrastructureDefaults;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Option;

/** Where Kafka is: the same configuration as the services. */
final class KafkaOptions {

    @Option(names = "--timeout-seconds", defaultValue = "15", description = "How long to wait for Kafka (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--bootstrap-servers", defaultValue = "${env:KAFKA_BOOTSTRAP_SERVERS}",
            description = "Kafka (default: KAFKA_BOOTSTRAP_SERVERS, else the embedded broker of bin/track local, 127.0.0.1:19092).")
    String bootstrapServers;

    String bootstrapServers() {
        return bootstrapServers == null || bootstrapServers.isBlank() ? InfrastructureDefaults.kafkaBootstrapServers() : bootstrapServers;
    }

    Duration timeout() {
        return Duration.ofSeconds(timeoutSeconds);
    }

    Map<String, Object> clientConfig() {
        Map<String, Object> config = new HashMap<>();
        config.put("bootstrap.servers", bootstrapServers());
        config.put("default.api.timeout.ms", (int) timeout().toMillis());
        config.put("request.timeout.ms", (int) timeout().toMillis());
        return config;
    }

    KafkaConsumer<byte[], byte[]> consumer() {
        Map<String, Object> config = clientConfig();
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 * 1024 * 1024);
        // As the consumers read: a redrive's aborted transaction (a run fenced by another) is neither exported nor counted as marked.
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    ReplayException unreachable(Exception cause) {
        return new ReplayException(ReplayException.UNAVAILABLE, "Kafka at " + bootstrapServers() + " did not answer within "
                + timeoutSeconds + " s (" + cause.getClass().getSimpleName() + "); is it running? Set --bootstrap-servers "
                + "or KAFKA_BOOTSTRAP_SERVERS");
    }
}
