package dev.trackpipeline.replay;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/** The timestamps of the oldest or newest records Kafka still keeps, read from the records themselves. */
final class RecordTimestamps {

    private RecordTimestamps() {
    }

    /** The oldest (or newest) record timestamp over the partitions; empty when they hold nothing. */
    static Optional<Instant> of(Consumer<byte[], byte[]> consumer, Map<TopicPartition, Long> beginnings,
                                Map<TopicPartition, Long> ends, boolean oldest) {
        List<TopicPartition> holding = beginnings.keySet().stream()
                .filter(partition -> ends.get(partition) > beginnings.get(partition)).toList();
        if (holding.isEmpty()) {
            return Optional.empty();
        }
        // All partitions at once: one record each is all it takes, so a poll or two answers for all of them.
        consumer.assign(holding);
        holding.forEach(partition -> consumer.seek(partition, oldest ? beginnings.get(partition) : ends.get(partition) - 1));
        Map<TopicPartition, Instant> first = new HashMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (first.size() < holding.size() && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(500)).forEach(record -> first.putIfAbsent(
                    new TopicPartition(record.topic(), record.partition()), Instant.ofEpochMilli(record.timestamp())));
            first.keySet().forEach(partition -> consumer.pause(List.of(partition)));
        }
        consumer.unsubscribe();
        return first.values().stream().reduce((a, b) -> oldest ? (a.isBefore(b) ? a : b) : (a.isAfter(b) ? a : b));
    }
}
