package dev.trackpipeline.runtime;

import dev.trackpipeline.model.kafka.EventRecord;
import dev.trackpipeline.model.kafka.EventRecordReader;
import dev.trackpipeline.model.kafka.InvalidRecordException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.springframework.kafka.listener.BatchListenerFailedException;

/**
 * Reads a polled batch into events for a store. At the first record that can never be stored,
 * the events before it are handed to the store first and then the record is reported with
 * {@link BatchListenerFailedException}: the error handler commits what was stored, dead-letters
 * that record and redelivers the rest.
 */
public final class ConsumedBatch {

    private final EventRecordReader reader;

    public ConsumedBatch(EventRecordReader reader) {
        this.reader = reader;
    }

    /** A record and the event read from it. */
    public record Consumed(ConsumerRecord<String, byte[]> record, EventRecord event) {
    }

    public void storeEach(List<ConsumerRecord<String, byte[]>> records, Consumer<List<Consumed>> store) {
        List<Consumed> readable = new ArrayList<>(records.size());
        for (int index = 0; index < records.size(); index++) {
            ConsumerRecord<String, byte[]> record = records.get(index);
            try {
                readable.add(new Consumed(record, reader.read(name -> headerOf(record, name), record.value())));
            } catch (InvalidRecordException invalid) {
                if (!readable.isEmpty()) {
                    store.accept(readable);
                }
                throw new BatchListenerFailedException(invalid.getMessage(), invalid, index);
            }
        }
        if (!readable.isEmpty()) {
            store.accept(readable);
        }
    }

    private static java.util.Optional<String> headerOf(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return EventRecordReader.utf8(header == null ? null : header.value());
    }
}
