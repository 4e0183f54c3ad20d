package dev.trackpipeline.writer.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.model.event.EventValidator;
import dev.trackpipeline.model.fixtures.FixtureRecords;
import dev.trackpipeline.model.fixtures.FixtureRecords.FixtureRecord;
import dev.trackpipeline.model.fixtures.WebSeeFixtures;
import dev.trackpipeline.model.ingest.IngestLimits;
import dev.trackpipeline.model.kafka.EventRecord;
import dev.trackpipeline.model.kafka.EventRecordReader;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.bson.BsonBinaryWriter;
import org.bson.BsonSerializationException;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.codecs.DocumentCodec;
import org.bson.codecs.EncoderContext;
import org.bson.io.BasicOutputBuffer;
import org.bson.io.OutputBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The writer encodes its documents itself; the bytes must be exactly the driver's. */
class EventBsonTest {

    private static final EventRecordReader READER = new EventRecordReader(new EventValidator(new EventFamilies()), IngestLimits.DEFAULTS);

    @Test
    void everyCapturedEventIsEncodedToTheBytesTheDriverWouldSend() {
        List<EventRecord> events = WebSeeFixtures.load().posts().stream()
                .map(request -> FixtureRecords.of(request, Instant.parse("2026-11-26T10:00:00Z")))
                .map(EventBsonTest::read).toList();

        assertThat(events).hasSizeGreaterThan(80);
        for (EventRecord event : events) {
            Document document = EventDocuments.toDocument(event);
            RawBsonDocument bson = EventDocuments.toBson(event);
            assertThat(bytesOf(bson)).as(event.type()).isEqualTo(driverBytes(buffer -> encode(buffer, document)));
            assertThat(bson.toJson()).isEqualTo(document.toJson());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "plain ascii", "häßlich", "页面白屏", "emoji 😀 in text", "lone surrogate \ud800 here",
            "lone low surrogate \udc00", "ends on a high surrogate \ud83d", "a question mark? and \ud800", "tab\tand\nnewline"})
    void stringsOfAnyKindAreEncodedAsTheDriverEncodesThem(String text) {
        Document document = new Document("_id", "e1").append(text.isEmpty() ? "empty" : text, text).append("nested", new Document("value", text));

        byte[] ours = encodedBy(new BulkStringOutputBuffer(16), buffer -> encode(buffer, document));

        assertThat(ours).isEqualTo(driverBytes(buffer -> encode(buffer, document)));
    }

    @Test
    void aNulInsideAFieldNameIsRefusedAsTheDriverRefusesIt() {
        Document document = new Document("_id", "e1").append("bad\u0000key", 1);

        assertThatThrownBy(() -> encodedBy(new BulkStringOutputBuffer(16), buffer -> encode(buffer, document)))
                .isInstanceOf(BsonSerializationException.class)
                .hasMessage(messageOf(() -> driverBytes(buffer -> encode(buffer, document))));
    }

    @Test
    void aNulInsideAStringValueIsKeptAsTheDriverKeepsIt() {
        Document document = new Document("_id", "e1").append("text", "before\u0000after");

        byte[] ours = encodedBy(new BulkStringOutputBuffer(16), buffer -> encode(buffer, document));

        assertThat(ours).isEqualTo(driverBytes(buffer -> encode(buffer, document)));
        assertThat(new RawBsonDocument(ours).getString("text").getValue()).isEqualTo("before\u0000after");
    }

    private static EventRecord read(FixtureRecord record) {
        return READER.read(name -> Optional.ofNullable(record.headers().get(name)), record.value());
    }

    private static void encode(OutputBuffer buffer, Document document) {
        try (BsonBinaryWriter writer = new BsonBinaryWriter(buffer)) {
            new DocumentCodec().encode(writer, document, EncoderContext.builder().isEncodingCollectibleDocument(true).build());
        }
    }

    private static byte[] driverBytes(Consumer<OutputBuffer> encoding) {
        return encodedBy(new BasicOutputBuffer(16), encoding);
    }

    private static byte[] encodedBy(BasicOutputBuffer buffer, Consumer<OutputBuffer> encoding) {
        encoding.accept(buffer);
        return buffer.toByteArray();
    }

    private static byte[] bytesOf(RawBsonDocument document) {
        ByteBuffer bytes = document.getByteBuffer().asNIO();
        byte[] copy = new byte[bytes.remaining()];
        bytes.get(copy);
        return copy;
    }

    private static String messageOf(Runnable action) {
        try {
            action.run();
        } catch (BsonSerializationException e) {
            return e.getMessage();
        }
        throw new AssertionError("the driver accepted it");
    }
}
