package dev.trackpipeline.writer.store;

import dev.trackpipeline.model.errors.ErrorFingerprints;
import dev.trackpipeline.model.kafka.EventRecord;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bson.BsonBinaryWriter;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.codecs.DocumentCodec;
import org.bson.codecs.EncoderContext;
import org.bson.types.Decimal128;
import tools.jackson.databind.JsonNode;

/**
 * The MongoDB document of one event: the SDK's fields as sent (keys made safe), {@code _id} the
 * event id so a second insert of the same event is refused by MongoDB itself, and
 * {@code receivedAt} the gateway's clock, which retention and the time indexes use. Error events
 * also carry their group ({@code fingerprint}, {@code errorTitle}) for grouping queries.
 */
public final class EventDocuments {

    private static final DocumentCodec CODEC = new DocumentCodec();

    private EventDocuments() {
    }

    /** What the writer inserts: {@link #toDocument} encoded once, here, so the driver only copies its bytes. */
    public static RawBsonDocument toBson(EventRecord record) {
        BulkStringOutputBuffer buffer = new BulkStringOutputBuffer(1024);
        try (BsonBinaryWriter writer = new BsonBinaryWriter(buffer)) {
            CODEC.encode(writer, toDocument(record), EncoderContext.builder().isEncodingCollectibleDocument(true).build());
        }
        return new RawBsonDocument(buffer.getInternalBuffer(), 0, buffer.getPosition());
    }

    public static Document toDocument(EventRecord record) {
        Document document = new Document("_id", record.eventId());
        record.event().properties().forEach(field ->
                document.append(DocumentKeys.encode(field.getKey(), true), value(field.getValue())));
        document.append("receivedAt", Date.from(record.receivedAt()));
        ErrorFingerprints.of(record.type(), record.event()).ifPresent(group ->
                document.append("fingerprint", group.fingerprint()).append("errorTitle", group.title()));
        return document;
    }

    /** The event as the SDK sent it, plus {@code id} and {@code receivedAt} (epoch ms), for the read API. */
    public static Map<String, Object> toApi(Document document) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("id", document.get("_id"));
        document.forEach((key, value) -> {
            if (!DocumentKeys.RESERVED.contains(key)) {
                event.put(DocumentKeys.decode(key), apiValue(value));
            }
        });
        event.put("receivedAt", document.getDate("receivedAt").getTime());
        if (document.containsKey("fingerprint")) {
            event.put("fingerprint", document.getString("fingerprint"));
            event.put("errorTitle", document.getString("errorTitle"));
        }
        return event;
    }

    private static Object value(JsonNode node) {
        if (node.isObject()) {
            Document nested = new Document();
            node.properties().forEach(field -> nested.append(DocumentKeys.encode(field.getKey(), false), value(field.getValue())));
            return nested;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>(node.size());
            node.forEach(element -> list.add(value(element)));
            return list;
        }
        if (node.isString()) return node.stringValue();
        if (node.isBoolean()) return node.booleanValue();
        if (node.isInt()) return node.intValue();
        if (node.isLong()) return node.longValue();
        if (node.isBigInteger()) return new Decimal128(new java.math.BigDecimal((BigInteger) node.numberValue()));
        if (node.isNumber()) return node.doubleValue();
        return null;
    }

    private static Object apiValue(Object value) {
        if (value instanceof Document nested) {
            Map<String, Object> decoded = new LinkedHashMap<>();
            nested.forEach((key, inner) -> decoded.put(DocumentKeys.decode(key), apiValue(inner)));
            return decoded;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(EventDocuments::apiValue).toList();
        }
        if (value instanceof Decimal128 decimal) {
            return decimal.bigDecimalValue();
        }
        return value;
    }
}
