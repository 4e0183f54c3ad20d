package dev.trackpipeline.bench;

import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.model.event.EventValidator;
import dev.trackpipeline.model.ingest.IngestLimits;
import dev.trackpipeline.model.kafka.EventRecord;
import dev.trackpipeline.model.kafka.EventRecordReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The events between two sets of offsets, read back from Kafka the way the consumers read them,
 * so a baseline works on exactly the events a service drained.
 */
final class StoredEvents {

    private StoredEvents() {
    }

    static List<EventRecord> read(String bootstrapServers, Map<TopicPartition, Long> from, Map<TopicPartition, Long> to) {
        EventRecordReader reader = new EventRecordReader(new EventValidator(new EventFamilies()), IngestLimits.DEFAULTS);
        Map<String, Object> config = Map.of("bootstrap.servers", bootstrapServers, "enable.auto.commit", false,
                "max.partition.fetch.bytes", 4 * 1024 * 1024);
        List<EventRecord> events = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = to.keySet().stream().filter(partition -> to.get(partition) > from.getOrDefault(partition, 0L)).toList();
            consumer.assign(partitions);
            partitions.forEach(partition -> consumer.seek(partition, from.getOrDefault(partition, 0L)));
            Map<TopicPartition, Long> remaining = new HashMap<>();
            partitions.forEach(partition -> remaining.put(partition, to.get(partition)));
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (!remaining.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                    Long end = remaining.get(partition);
                    if (end == null || record.offset() >= end) {
                        continue;
                    }
                    events.add(reader.read(name -> header(record, name), record.value()));
                    if (record.offset() + 1 >= end) {
                        remaining.remove(partition);
                        consumer.pause(List.of(partition));
                    }
                }
            }
            if (!remaining.isEmpty()) {
                throw new IllegalStateException("could not read back the events of " + remaining.keySet());
            }
        }
        return events;
    }

    private static java.util.Optional<String> header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return EventRecordReader.utf8(header == null ? null : header.value());
    }
}
