package dev.trackpipeline.writer.consume;

import dev.trackpipeline.model.event.EventFamily;
import dev.trackpipeline.model.kafka.ConsumerGroups;
import dev.trackpipeline.runtime.ConsumedBatch;
import dev.trackpipeline.runtime.ConsumedBatch.Consumed;
import dev.trackpipeline.runtime.ConsumerMeters;
import dev.trackpipeline.runtime.EventStore.Refusal;
import dev.trackpipeline.writer.WriterProperties;
import dev.trackpipeline.writer.store.EventDocuments;
import dev.trackpipeline.writer.store.EventDocuments.Encoded;
import dev.trackpipeline.writer.store.EventRepository;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.bson.RawBsonDocument;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Stores every polled batch in MongoDB. The container commits the offsets only after this method
 * returns, so a crash between insert and commit means a redelivery, which the event-id
 * {@code _id} turns into a no-op. What cannot be stored is settled by {@link ConsumedBatch}.
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
        batches.store(records, this::insertByFamily);
    }

    /** Inserts each family's events with one bulk write; names the events MongoDB refused or that cannot be documents. */
    private List<Refusal> insertByFamily(List<Consumed> events) {
        Map<EventFamily, List<Consumed>> byFamily = events.stream().collect(Collectors.groupingBy(
                consumed -> consumed.event().family(), LinkedHashMap::new, Collectors.toList()));
        meters.batch(events.size());
        List<Refusal> refused = new ArrayList<>();
        byFamily.forEach((family, consumed) -> {
            List<Consumed> encodedEvents = new ArrayList<>(consumed.size());
            List<RawBsonDocument> documents = new ArrayList<>(consumed.size());
            for (Consumed event : consumed) {
                Encoded encoded = EventDocuments.encode(event.event());
                if (encoded instanceof Encoded.Document document) {
                    encodedEvents.add(event);
                    documents.add(document.bson());
                } else if (encoded instanceof Encoded.Unstorable unstorable) {
                    refused.add(Refusal.unstorable(event, unstorable.reason()));
                }
            }
            if (documents.isEmpty()) {
                return;
            }
            EventRepository.Inserted inserted = meters.timeWrite(family, () -> repository.insertAll(family, documents));
            meters.count(family, "stored", inserted.stored());
            meters.count(family, "duplicate", inserted.duplicates());
            meters.count(family, "refused", inserted.refused().size());
            inserted.refused().forEach(refusal -> refused.add(Refusal.byStore(encodedEvents.get(refusal.index()),
                    "MongoDB refused the document: " + refusal.reason())));
        });
        Set<ConsumerRecord<String, byte[]>> notStored = Collections.newSetFromMap(new IdentityHashMap<>());
        refused.forEach(refusal -> notStored.add(refusal.event().record()));
        meters.stored(events.stream().filter(event -> !notStored.contains(event.record())).toList());
        return refused;
    }
}
