package dev.trackpipeline.aggregator.consume;

import dev.trackpipeline.aggregator.metrics.RedisMetricsStore.LogEnds;
import java.time.Duration;
import java.util.OptionalLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/**
 * Where a partition's log ends as this consumer last saw it: its position plus its lag, both from
 * its own fetches, which Kafka checks against the partition leader's epoch, so a deposed leader's
 * older end is never taken. Nothing is asked over the network; on the listener's thread, the only
 * one that may touch the consumer.
 */
record ConsumerLogEnds(Consumer<?, ?> consumer) implements LogEnds {

    @Override
    public OptionalLong endOf(String topic, int partition) {
        TopicPartition where = new TopicPartition(topic, partition);
        try {
            // The position first, without waiting: one still being validated after a leader change is no reading.
            long position = consumer.position(where, Duration.ZERO);
            OptionalLong lag = consumer.currentLag(where);
            return lag.isPresent() && lag.getAsLong() >= 0 ? OptionalLong.of(position + lag.getAsLong()) : OptionalLong.empty();
        } catch (KafkaException | IllegalStateException e) {
            // not assigned any more, no position yet or not at once (a TimeoutException is a KafkaException): not known,
            // so the marker is trusted
            return OptionalLong.empty();
        }
    }
}
