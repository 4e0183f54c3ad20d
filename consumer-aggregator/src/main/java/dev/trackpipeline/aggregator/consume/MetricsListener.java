package dev.trackpipeline.aggregator.consume;

import dev.trackpipeline.model.kafka.ConsumerGroups;

import dev.trackpipeline.aggregator.metrics.EventCounts;
import dev.trackpipeline.aggregator.metrics.RedisMetricsStore;
import dev.trackpipeline.aggregator.metrics.RedisMetricsStore.Applied;
import dev.trackpipeline.aggregator.metrics.RedisMetricsStore.LogEnds;
import dev.trackpipeline.aggregator.metrics.RedisMetricsStore.PartitionUpdates;
import dev.trackpipeline.aggregator.metrics.RedisMetricsStore.RecordUpdates;
import dev.trackpipeline.aggregator.AggregatorProperties;
import dev.trackpipeline.model.event.EventFamily;
import dev.trackpipeline.runtime.ConsumedBatch;
import dev.trackpipeline.runtime.ConsumerMeters;
import dev.trackpipeline.runtime.ConsumedBatch.Consumed;
import dev.trackpipeline.runtime.EventStore;
import dev.trackpipeline.runtime.EventStore.Refusal;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Counts every polled batch into Redis, one atomic script per partition and project; offsets are
 * committed afterwards. What cannot be counted is settled by {@link ConsumedBatch}.
 */
@Component
public class MetricsListener {

    private final ConsumedBatch batches;
    private final EventCounts counts;
    private final RedisMetricsStore store;
    private final ConsumerMeters meters;

    public MetricsListener(ConsumedBatch batches, EventCounts counts, RedisMetricsStore store, MeterRegistry meters,
                           AggregatorProperties properties) {
        this.batches = batches;
        this.counts = counts;
        this.store = store;
        this.meters = new ConsumerMeters(meters, properties.groupId(), Clock.systemUTC());
    }

    @KafkaListener(id = ConsumerGroups.AGGREGATOR, groupId = "${track.aggregator.group-id:" + ConsumerGroups.AGGREGATOR + "}",
            topics = "#{@topicNames.eventTopics(@eventFamilies)}")
    public void count(List<ConsumerRecord<String, byte[]>> records, Consumer<?, ?> consumer) {
        LogEnds logEnds = new ConsumerLogEnds(consumer);
        // A record counted after later offsets of its partition would be taken for a redelivery: no second attempt.
        batches.store(records, EventStore.failingAloneIsFinal(events -> applyByPartition(events, logEnds)));
    }

    /** Counting takes every event it is given: there is nothing for Redis to refuse. */
    private List<Refusal> applyByPartition(List<Consumed> events, LogEnds logEnds) {
        Map<TopicPartition, List<Consumed>> byPartition = events.stream().collect(Collectors.groupingBy(
                consumed -> new TopicPartition(consumed.record().topic(), consumed.record().partition()),
                LinkedHashMap::new, Collectors.toList()));
        meters.batch(events.size());
        List<PartitionUpdates> updates = byPartition.entrySet().stream().map(partition -> new PartitionUpdates(
                partition.getKey().topic(), partition.getKey().partition(), partition.getValue().stream()
                        .map(event -> new RecordUpdates(event.record().offset(), event.event().apikey(), event.event().eventId(),
                                counts.of(event.event()))).toList())).toList();
        List<Applied> outcomes = meters.timeWrite(() -> store.applyCounting(updates, logEnds));
        int index = 0;
        for (List<Consumed> consumed : byPartition.values()) {
            // A topic holds one family's events.
            EventFamily family = consumed.get(0).event().family();
            Applied outcome = outcomes.get(index);
            meters.count(family, "counted", outcome.applied());
            meters.count(family, "redelivered", outcome.redelivered());
            meters.count(family, "duplicate", consumed.size() - outcome.applied() - outcome.redelivered());
            index++;
        }
        meters.stored(events);
        return List.of();
    }
}
