package dev.trackpipeline.writer.consume;

import dev.trackpipeline.model.kafka.ConsumerGroups;

import dev.trackpipeline.model.event.EventFamily;
import dev.trackpipeline.runtime.ConsumedBatch;
import dev.trackpipeline.runtime.ConsumedBatch.Consumed;
import dev.trackpipeline.runtime.ConsumerMeters;
import dev.trackpipeline.runtime.RecordRefusedByStoreException;
import dev.trackpipeline.writer.WriterProperties;
import dev.trackpipeline.writer.store.EventDocuments;
import dev.trackpipeline.writer.store.EventRepository;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.bson.RawBsonDocument;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.stereotype.Component;

/**
 * Stores every polled batch in MongoDB. The container commits the offsets only after this method
 * returns, so a crash between insert and commit means a redelivery, which the event-id
 * {@code _id} turns into a no-op. Failures are the error handler's business (ConsumerFailureHandling).
 */
@Component
public class EventStoreListener {

    private final ConsumedBatch batches;
    private final EventRepository repository;
    private final ConsumerMeters meters;

    public EventStoreListener(ConsumedBatch batches, EventRepository repository, MeterRegistry meters, WriterProperties properties) {
        this.batches = batches;
        this.repository = repository;
        this.meters = new ConsumerMeters(meters, properties.groupId(), Clock.systemUTC());
    }

    @KafkaListener(id = ConsumerGroups.WRITER, groupId = "${track.writer.group-id:" + ConsumerGroups.WRITER + "}",
            topics = "#{@topicNames.eventTopics(@eventFamilies)}")
    public void store(List<ConsumerRecord<String, byte[]>> records) {
        batches.storeEach(records, this::insertByFamily);
    }

    /**
     * Inserts each family's events with one bulk write. If MongoDB refused a document, the
     * earliest such record is reported after every family was written, so the error handler
     * commits what precedes it, retries it a few times and then dead-letters it.
     */
    private void insertByFamily(List<Consumed> events) {
        Map<EventFamily, List<Consumed>> byFamily = events.stream().collect(Collectors.groupingBy(
                consumed -> consumed.event().family(), LinkedHashMap::new, Collectors.toList()));
        meters.batch(events.size());
        Map<ConsumerRecord<String, byte[]>, String> refused = new IdentityHashMap<>();
        byFamily.forEach((family, consumed) -> {
            List<RawBsonDocument> documents = consumed.stream().map(event -> EventDocuments.toBson(event.event())).toList();
            EventRepository.Inserted inserted = meters.timeWrite(family, () -> repository.insertAll(family, documents));
            meters.count(family, "stored", inserted.stored());
            meters.count(family, "duplicate", inserted.duplicates());
            meters.count(family, "refused", inserted.refused().size());
            inserted.refused().forEach(refusal -> refused.put(consumed.get(refusal.index()).record(), refusal.reason()));
        });
        meters.stored(events.stream().filter(event -> !refused.containsKey(event.record())).toList());
        events.stream().map(Consumed::record).filter(refused::containsKey).findFirst().ifPresent(record -> {
            String reason = "MongoDB refused the document: " + refused.get(record);
            throw new BatchListenerFailedException(reason, new RecordRefusedByStoreException(reason), record);
        });
    }
}
