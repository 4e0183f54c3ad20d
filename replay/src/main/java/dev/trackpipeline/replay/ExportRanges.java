package dev.trackpipeline.replay;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Finds, for every partition of the topics, the offsets a time range covers, with Kafka's own
 * time index (offsets-for-times) instead of scanning. The range is fixed when the export starts,
 * so it ends at {@code --to} (or at what the partition held then) without waiting for new data.
 */
final class ExportRanges {

    private ExportRanges() {
    }

    static List<PartitionRange> of(Consumer<byte[], byte[]> consumer, Duration timeout, List<String> topics, Optional<Instant> from,
                                    Optional<Instant> to) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            if (infos == null || infos.isEmpty()) {
                throw new ReplayException(ReplayException.USAGE, "topic " + topic + " does not exist on this cluster");
            }
            infos.forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
        }
        Map<TopicPartition, Long> beginnings = consumer.beginningOffsets(partitions, timeout);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
        if (from.isPresent() || to.isPresent()) {
            RecordTimestamps.of(consumer, beginnings, ends, true).ifPresent(oldest -> {
                if (to.isPresent() && !to.get().isAfter(oldest)) {
                    throw new ReplayException(ReplayException.USAGE, "--to " + to.get() + " is before the oldest event Kafka still keeps ("
                            + oldest + "); older events are gone with the topics' retention");
                }
            });
        }
        Map<TopicPartition, Long> starts = from.map(time -> firstAtOrAfter(consumer, timeout, partitions, time, ends)).orElse(beginnings);
        Map<TopicPartition, Long> stops = to.map(time -> firstAtOrAfter(consumer, timeout, partitions, time, ends)).orElse(ends);
        return partitions.stream()
                .map(partition -> new PartitionRange(partition, starts.get(partition), stops.get(partition)))
                .filter(range -> range.size() > 0)
                .toList();
    }

    /** The first offset whose timestamp is at or after {@code time}; the end when there is none. */
    private static Map<TopicPartition, Long> firstAtOrAfter(Consumer<?, ?> consumer, Duration timeout, List<TopicPartition> partitions,
                                                           Instant time, Map<TopicPartition, Long> ends) {
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(partition -> query.put(partition, time.toEpochMilli()));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query, timeout);
        Map<TopicPartition, Long> offsets = new HashMap<>();
        partitions.forEach(partition -> offsets.put(partition,
                found.get(partition) == null ? ends.get(partition) : found.get(partition).offset()));
        return offsets;
    }
}
