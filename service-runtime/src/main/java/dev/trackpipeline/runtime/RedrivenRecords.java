package dev.trackpipeline.runtime;

import dev.trackpipeline.model.kafka.EventRecordReader;
import dev.trackpipeline.model.kafka.TrackHeaders;
import dev.trackpipeline.model.metrics.TrackMeters;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Tells a record put back from the dead-letter topic for another consumer group
 * ({@link TrackHeaders#REDRIVE_GROUP}) from one this consumer applies. A redriven record is
 * applied only by the group that gave up on it: the other group stored or counted it when it was
 * first read, and the aggregator, whose dedup window is an hour, would count it again. Such a
 * record is skipped like one already applied, counted in {@link TrackMeters#CONSUME_REDRIVEN_ELSEWHERE},
 * not dead-lettered: it is no failure.
 */
public final class RedrivenRecords {

    private final Supplier<String> consumerGroup;
    private final MeterRegistry meters;

    /**
     * @param consumerGroup this consumer's group, as its dead letters name it (on the listener's
     *                      thread, Spring Kafka's {@code KafkaUtils.getConsumerGroupId})
     */
    public RedrivenRecords(Supplier<String> consumerGroup, MeterRegistry meters) {
        this.consumerGroup = consumerGroup;
        this.meters = meters;
    }

    /** Whether the record was redriven for a group other than this consumer's; counted when it was. */
    public boolean skipsAsRedrivenElsewhere(ConsumerRecord<String, byte[]> record) {
        Header target = record.headers().lastHeader(TrackHeaders.REDRIVE_GROUP);
        if (target == null) {
            return false;
        }
        // A consumer that cannot say its group cannot be the one named: a redrive is for one group only.
        Optional<String> named = EventRecordReader.utf8(target.value());
        boolean elsewhere = named.isEmpty() || !named.get().equals(consumerGroup.get());
        if (elsewhere) {
            meters.counter(TrackMeters.CONSUME_REDRIVEN_ELSEWHERE, "topic", record.topic()).increment();
        }
        return elsewhere;
    }
}
