package dev.trackpipeline.aggregator.consume;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.infra.EmbeddedKafkaBroker;
import dev.trackpipeline.infra.FreePorts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a partition's log ends as a real consumer reading committed records (as the aggregator
 * does) last saw it: known for its partitions once fetched, unknown otherwise.
 */
class ConsumerLogEndsTest {

    @TempDir
    Path dir;

    @Test
    void aPartitionsLogEndsWhereTheConsumersFetchesSawIt() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"), "127.0.0.1", FreePorts.one(),
                FreePorts.one()); Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("ends.error", 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
            try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", broker.bootstrapServers()),
                    new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < 3; i++) {
                    producer.send(new ProducerRecord<>("ends.error", 1, "key", "event " + i)).get(30, TimeUnit.SECONDS);
                }
            }
            try (var consumer = new KafkaConsumer<>(Map.<String, Object>of("bootstrap.servers", broker.bootstrapServers(),
                    "auto.offset.reset", "earliest", "max.poll.records", 1, "isolation.level", "read_committed"), new StringDeserializer(),
                    new StringDeserializer())) {
                consumer.assign(List.of(new TopicPartition("ends.error", 1)));
                ConsumerLogEnds ends = new ConsumerLogEnds(consumer);
                assertThat(ends.endOf("ends.error", 1)).as("before any fetch").isEmpty();

                int read = 0;
                for (int poll = 0; poll < 50 && read == 0; poll++) {
                    read += consumer.poll(Duration.ofMillis(200)).count();
                }

                assertThat(read).isOne();
                assertThat(ends.endOf("ends.error", 1)).as("three records, the consumer one in").hasValue(3);
                assertThat(ends.endOf("ends.error", 0)).as("not assigned").isEmpty();
            }
        }
    }
}
