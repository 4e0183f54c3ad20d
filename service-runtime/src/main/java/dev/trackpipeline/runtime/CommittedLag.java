package dev.trackpipeline.runtime;

import dev.trackpipeline.model.metrics.TrackMeters;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;

/**
 * How many records of the event topics the consumer's group has not committed yet: what is
 * neither stored nor dead-lettered. Kafka's own lag metric counts from the fetch position, which
 * runs ahead of what is stored: a consumer retrying a batch through an outage shows a lag of 0
 * there while its backlog grows. Read from the broker every {@code track.consumer.lag-interval}.
 */
public final class CommittedLag implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CommittedLag.class);

    private final Admin admin;
    private final KafkaListenerEndpointRegistry listeners;
    private final List<String> topics;
    /** -1 until read, or while the broker cannot tell. */
    private final AtomicLong records = new AtomicLong(-1);
    private final ScheduledExecutorService reads = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "committed-lag");
        thread.setDaemon(true);
        return thread;
    });

    public CommittedLag(Admin admin, KafkaListenerEndpointRegistry listeners, List<String> topics, MeterRegistry meters,
                        Duration interval) {
        this.admin = admin;
        this.listeners = listeners;
        this.topics = List.copyOf(topics);
        Gauge.builder(TrackMeters.CONSUME_COMMITTED_LAG, records, lag -> lag.get() < 0 ? Double.NaN : lag.get())
                .description("Records of the event topics the consumer group has not committed: neither stored nor dead-lettered")
                .baseUnit("records").register(meters);
        reads.scheduleWithFixedDelay(this::read, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    public long records() {
        return records.get();
    }

    private void read() {
        try {
            long lag = 0;
            for (var container : listeners.getListenerContainers()) {
                lag += lagOf(container.getGroupId());
            }
            records.set(lag);
        } catch (Exception e) {
            records.set(-1);
            log.debug("Cannot read the committed lag now: {}", e.getMessage());
        }
    }

    private long lagOf(String group) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS).forEach((topic, description) ->
                description.partitions().forEach(partition -> {
                    latest.put(new TopicPartition(topic, partition.partition()), OffsetSpec.latest());
                    earliest.put(new TopicPartition(topic, partition.partition()), OffsetSpec.earliest());
                }));
        var ends = admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
        var starts = admin.listOffsets(earliest).all().get(10, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                .get(10, TimeUnit.SECONDS);
        long lag = 0;
        for (var end : ends.entrySet()) {
            OffsetAndMetadata at = committed.get(end.getKey());
            long from = at == null ? starts.get(end.getKey()).offset() : at.offset();
            lag += Math.max(0, end.getValue().offset() - from);
        }
        return lag;
    }

    @Override
    public void close() {
        reads.shutdownNow();
        // A lag read in flight is abandoned: nothing waits for it, and a broker already gone would hold each close.
        admin.close(Duration.ofSeconds(1));
    }
}
