package dev.trackpipeline.writer.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trackpipeline.model.errors.ErrorFingerprints;
import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.model.event.EventValidator;
import dev.trackpipeline.model.fixtures.FixtureRecords;
import dev.trackpipeline.model.fixtures.FixtureRecords.FixtureRecord;
import dev.trackpipeline.model.fixtures.WebSeeFixtures;
import dev.trackpipeline.model.ingest.IngestLimits;
import dev.trackpipeline.model.kafka.EventRecord;
import dev.trackpipeline.model.kafka.EventRecordReader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
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
import org.bson.types.Decimal128;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * The writer encodes its documents itself, straight from the JSON tree; the bytes must be exactly
 * what the driver makes of the same document built as a {@code Document} ({@link #referenceDocument}).
 */
class EventBsonTest {

    private static final Instant RECEIVED_AT = Instant.parse("2026-11-26T10:00:00Z");
    private static final EventRecordReader READER = new EventRecordReader(new EventValidator(new EventFamilies()), IngestLimits.DEFAULTS);

    @Test
    void everyCapturedEventIsEncodedToTheBytesTheDriverMakesOfItsDocument() {
        List<EventRecord> events = WebSeeFixtures.load().posts().stream()
                .map(request -> FixtureRecords.of(request, RECEIVED_AT))
                .map(EventBsonTest::read).toList();

        assertThat(events).hasSizeGreaterThan(80);
        assertThat(events).anySatisfy(event -> assertThat(event.type()).isEqualTo("error"));
        for (EventRecord event : events) {
            assertEncodedAsTheDriverEncodes(event);
        }
    }

    @Test
    void everyKindOfJsonValueAndKeyIsEncodedAsTheDriverEncodesItsDocument() {
        EventRecord event = read(FixtureRecords.of(new WebSeeFixtures.CapturedRequest("POST", "/reportData", "application/json", null, """
                {"type":"custom","apikey":"demo-project","time":1795642100000,"uuid":"s1",
                 "small":-7,"large":9007199254740993,"huge":123456789012345678901234567890,"fraction":0.1,"exponent":-2.5e-8,
                 "yes":true,"no":false,"nothing":null,"text":"页面 😀 \\u0000 end",
                 "receivedAt":"the SDK's own","fingerprint":1,"$where":"x","a.b":{"_id":1,"$in":[1,"two",null,[3.5,{"c.d":[]}],{}]},
                 "100%":{"empty":{},"list":[]}}
                """), RECEIVED_AT));

        RawBsonDocument bson = assertEncodedAsTheDriverEncodes(event);

        assertThat(bson.keySet()).containsExactly("_id", "type", "apikey", "time", "uuid", "small", "large", "huge", "fraction", "exponent",
                "yes", "no", "nothing", "text", "%72eceivedAt", "%66ingerprint", "%24where", "a%2Eb", "100%25", "receivedAt");
        assertThat(bson.get("small").isInt32()).isTrue();
        assertThat(bson.get("large").asInt64().getValue()).isEqualTo(9007199254740993L);
        assertThat(bson.get("huge").asDecimal128().getValue().bigDecimalValue()).isEqualByComparingTo("123456789012345678901234567890");
        assertThat(bson.getDocument("a%2Eb").getArray("%24in")).hasSize(5);
        assertThat(bson.getDateTime("receivedAt").getValue()).isEqualTo(RECEIVED_AT.toEpochMilli());
    }

    @Test
    void theReadApisIdIsThePipelinesWhateverIdTheClientSent() {
        Document stored = new Document("_id", "4f1c").append("id", "the client's").append("type", "custom")
                .append("receivedAt", Date.from(RECEIVED_AT));

        var answer = EventDocuments.toApi(stored);

        assertThat(answer.get("id")).isEqualTo("4f1c");
        assertThat(answer.get("type")).isEqualTo("custom");
    }

    @Test
    void anErrorEventCarriesItsGroupAfterItsFields() {
        EventRecord error = read(FixtureRecords.of(WebSeeFixtures.load().first("error"), RECEIVED_AT));

        RawBsonDocument bson = assertEncodedAsTheDriverEncodes(error);

        List<String> keys = List.copyOf(bson.keySet());
        assertThat(keys.subList(keys.size() - 3, keys.size())).containsExactly("receivedAt", "fingerprint", "errorTitle");
        assertThat(bson.getString("errorTitle").getValue()).isNotBlank();
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

    private static RawBsonDocument assertEncodedAsTheDriverEncodes(EventRecord event) {
        Document document = referenceDocument(event);
        RawBsonDocument bson = EventDocuments.toBson(event);
        assertThat(bytesOf(bson)).as(event.type()).isEqualTo(driverBytes(buffer -> encode(buffer, document)));
        assertThat(bson.toJson()).isEqualTo(document.toJson());
        return bson;
    }

    /** The document as the driver's own types spell it: what {@link EventDocuments#toBson} must encode. */
    private static Document referenceDocument(EventRecord record) {
        Document document = new Document("_id", record.eventId());
        record.event().properties().forEach(field -> document.append(DocumentKeys.encode(field.getKey(), true), value(field.getValue())));
        document.append("receivedAt", Date.from(record.receivedAt()));
        ErrorFingerprints.of(record.type(), record.event()).ifPresent(group ->
                document.append("fingerprint", group.fingerprint()).append("errorTitle", group.title()));
        return document;
    }

    private static Object value(JsonNode node) {
        if (node.isObject()) {
            Document nested = new Document();
            node.properties().forEach(field -> nested.append(DocumentKeys.encode(field.getKey(), false), value(field.getValue())));
            return nested;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>();
            node.forEach(element -> list.add(value(element)));
            return list;
        }
        if (node.isString()) return node.stringValue();
        if (node.isBoolean()) return node.booleanValue();
        if (node.isInt()) return node.intValue();
        if (node.isLong()) return node.longValue();
        if (node.isBigInteger()) return new Decimal128(new BigDecimal((BigInteger) node.numberValue()));
        if (node.isNumber()) return node.doubleValue();
        return null;
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
