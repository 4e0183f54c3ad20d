package dev.trackpipeline.aggregator.consume;

import dev.trackpipeline.model.kafka.ConsumerGroups;

import dev.trackpipeline.aggregator.metrics.EventCounts;
import dev.trackpipeline.aggregator.metrics.RedisMetricsStore;
import dev.trackpipeline.aggregator.metrics.RedisMetricsStore.RecordUpdates;
import dev.trackpipeline.runtime.ConsumedBatch;
import dev.trackpipeline.runtime.ConsumedBatch.Consumed;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/** Counts every polled batch into Redis, one atomic script per partition; offsets are committed afterwards. */
@Component
public class MetricsListener {

    private final ConsumedBatch batches;
    private final EventCounts counts;
    private final RedisMetricsStore store;
    private final MeterRegistry meters;

    public MetricsListener(ConsumedBatch batches, EventCounts counts, RedisMetricsStore store, MeterRegistry meters) {
        this.batches = batches;
        this.counts = counts;
        this.store = store;
        this.meters = meters;
    }

    @KafkaListener(id = ConsumerGroups.AGGREGATOR, groupId = "${track.aggregator.group-id:" + ConsumerGroups.AGGREGATOR + "}",
            topics = "#{@topicNames.eventTopics(@eventFamilies)}")
    public void count(List<ConsumerRecord<String, byte[]>> records) {
        batches.storeEach(records, this::applyByPartition);
    }

    private void applyByPartition(List<Consumed> events) {
        Map<TopicPartition, List<RecordUpdates>> byPartition = events.stream().collect(Collectors.groupingBy(
                consumed -> new TopicPartition(consumed.record().topic(), consumed.record().partition()),
                LinkedHashMap::new,
                Collectors.mapping(consumed -> new RecordUpdates(consumed.record().offset(), consumed.event().apikey(),
                        consumed.event().eventId(), counts.of(consumed.event())), Collectors.toList())));
        meters.summary("track.aggregator.batch.size").record(events.size());
        byPartition.forEach((partition, updates) -> {
            long applied = meters.timer("track.aggregator.write", "topic", partition.topic())
                    .record(() -> store.apply(partition.topic(), partition.partition(), updates));
            meters.counter("track.aggregator.events", "outcome", "counted").increment(applied);
            meters.counter("track.aggregator.events", "outcome", "skipped_duplicate").increment(updates.size() - applied);
        });
    }
}
