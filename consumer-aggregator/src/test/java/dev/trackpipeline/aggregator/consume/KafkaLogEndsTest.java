package dev.trackpipeline.aggregator.consume;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.infra.EmbeddedKafkaBroker;
import dev.trackpipeline.infra.InfrastructureSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a partition's log ends, asked of a real broker; a broker away leaves it unknown. */
class KafkaLogEndsTest {

    @TempDir
    Path dir;

    @Test
    void aPartitionsLogEndsAtTheOffsetItsNextRecordTakes() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"), "127.0.0.1", InfrastructureSettings.freePort(),
                InfrastructureSettings.freePort()); Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("ends.error", 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
            try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", broker.bootstrapServers()),
                    new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < 3; i++) {
                    producer.send(new ProducerRecord<>("ends.error", 1, "key", "event " + i)).get(30, TimeUnit.SECONDS);
                }
            }
            KafkaLogEnds ends = new KafkaLogEnds(Map.of("bootstrap.servers", broker.bootstrapServers()));

            assertThat(ends.endOf("ends.error", 1)).hasValue(3);
            assertThat(ends.endOf("ends.error", 0)).hasValue(0);
            ends.destroy();
        }
    }

    @Test
    void aKafkaThatDoesNotAnswerLeavesTheEndUnknown() {
        KafkaLogEnds ends = new KafkaLogEnds(Map.of("bootstrap.servers", "127.0.0.1:" + InfrastructureSettings.freePort()));

        assertThat(ends.endOf("ends.error", 0)).isEmpty();
        ends.destroy();
    }
}
