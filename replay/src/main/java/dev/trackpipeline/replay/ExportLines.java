package dev.trackpipeline.replay;

import dev.trackpipeline.model.kafka.TrackHeaders;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes one JSON line per event: {@code {"eventId","receivedAt","apikey","type","topic",
 * "partition","offset","event":{...}}}, plus {@code "redrivenFor"} (a consumer group) on a copy
 * {@code replay redrive} put back. The event is the SDK's bytes as they are in Kafka; only a
 * value spread over several lines is re-written compactly, so every line stays one event.
 */
final class ExportLines implements AutoCloseable {

    private final JsonMapper json = JsonMapper.builder().build();
    private final OutputStream out;

    ExportLines(OutputStream out) {
        this.out = out;
    }

    void write(ConsumerRecord<byte[], byte[]> record) throws java.io.IOException {
        String event = new String(record.value(), StandardCharsets.UTF_8);
        if (event.indexOf('\n') >= 0 || event.indexOf('\r') >= 0) {
            event = json.writeValueAsString(json.readTree(event));
        }
        // Built as a string first, so the generator never closes the shared output stream.
        java.io.StringWriter text = new java.io.StringWriter();
        try (JsonGenerator generator = json.createGenerator(text)) {
            generator.writeStartObject();
            generator.writeStringProperty("eventId", header(record, TrackHeaders.EVENT_ID).orElse(null));
            Optional<String> receivedAt = header(record, TrackHeaders.RECEIVED_AT);
            if (receivedAt.isPresent() && !receivedAt.get().isEmpty() && receivedAt.get().chars().allMatch(Character::isDigit)) {
                generator.writeNumberProperty("receivedAt", Long.parseLong(receivedAt.get()));
            } else {
                generator.writeNullProperty("receivedAt");
            }
            generator.writeStringProperty("apikey", header(record, TrackHeaders.APIKEY).orElse(null));
            generator.writeStringProperty("type", header(record, TrackHeaders.TYPE).orElse(null));
            generator.writeStringProperty("topic", record.topic());
            generator.writeNumberProperty("partition", record.partition());
            generator.writeNumberProperty("offset", record.offset());
            Optional<String> redrivenFor = header(record, TrackHeaders.REDRIVE_GROUP);
            if (redrivenFor.isPresent()) {
                generator.writeStringProperty("redrivenFor", redrivenFor.get());
            }
            generator.writeName("event");
            generator.writeRawValue(event);
            generator.writeEndObject();
        }
        out.write(text.toString().getBytes(StandardCharsets.UTF_8));
        out.write('\n');
    }

    static Optional<String> header(ConsumerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? Optional.empty() : Optional.of(new String(header.value(), StandardCharsets.UTF_8));
    }

    @Override
    public void close() throws java.io.IOException {
        out.flush();
        out.close();
    }
}
