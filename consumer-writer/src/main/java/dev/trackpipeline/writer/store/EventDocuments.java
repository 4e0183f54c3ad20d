package dev.trackpipeline.writer.store;

import dev.trackpipeline.model.errors.ErrorFingerprints;
import dev.trackpipeline.model.kafka.EventRecord;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bson.BsonBinaryWriter;
import org.bson.BsonWriter;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.types.Decimal128;
import tools.jackson.databind.JsonNode;

/**
 * The MongoDB document of one event: the SDK's fields as sent (keys made safe), {@code _id} the
 * event id so a second insert of the same event is refused by MongoDB itself, and
 * {@code receivedAt} the gateway's clock, which retention and the time indexes use. Error events
 * also carry their group ({@code fingerprint}, {@code errorTitle}) for grouping queries.
 */
public final class EventDocuments {

    private static final BigInteger LARGEST_EXACT_DECIMAL128 = BigInteger.TEN.pow(34).subtract(BigInteger.ONE);

    /** The largest document MongoDB stores (its {@code maxBsonObjectSize}). */
    public static final int MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;

    private EventDocuments() {
    }

    /** An event's document, or why it cannot be one. */
    public sealed interface Encoded {

        record Document(RawBsonDocument bson) implements Encoded {
        }

        record Unstorable(String reason) implements Encoded {
        }
    }

    /**
     * The document the writer inserts for the event, or why there can be none. The gateway's
     * limits keep every accepted event well inside MongoDB's; a record written to a topic by
     * something else, or under raised limits, may not be, and must not stop its neighbours.
     */
    public static Encoded encode(EventRecord record) {
        RawBsonDocument bson;
        try {
            bson = toBson(record);
        } catch (RuntimeException e) {
            return new Encoded.Unstorable("cannot be encoded as BSON: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        if (bson.getByteBuffer().remaining() > MAX_DOCUMENT_BYTES) {
            return new Encoded.Unstorable("its document of " + bson.getByteBuffer().remaining()
                    + " bytes is larger than MongoDB stores (" + MAX_DOCUMENT_BYTES + " bytes)");
        }
        return new Encoded.Document(bson);
    }

    /**
     * What the writer inserts, encoded here straight from the event's JSON tree, so the driver only
     * copies its bytes. Field by field it is what the driver's {@code DocumentCodec} makes of the
     * equivalent {@code Document} ({@code EventBsonTest} holds that reference and compares bytes);
     * building that {@code Document} first cost a tenth of the writer's consumer thread.
     */
    public static RawBsonDocument toBson(EventRecord record) {
        BulkStringOutputBuffer buffer = new BulkStringOutputBuffer(1024);
        try (BsonBinaryWriter writer = new BsonBinaryWriter(buffer)) {
            writer.writeStartDocument();
            writer.writeString("_id", record.eventId());
            for (Map.Entry<String, JsonNode> field : record.event().properties()) {
                writer.writeName(DocumentKeys.encode(field.getKey(), true));
                write(writer, field.getValue());
            }
            writer.writeDateTime("receivedAt", record.receivedAt().toEpochMilli());
            ErrorFingerprints.of(record.type(), record.event()).ifPresent(group -> {
                writer.writeString("fingerprint", group.fingerprint());
                writer.writeString("errorTitle", group.title());
            });
            writer.writeEndDocument();
        }
        return new RawBsonDocument(buffer.getInternalBuffer(), 0, buffer.getPosition());
    }

    /**
     * A JSON value as BSON: integers stay 32 or 64 bits, larger ones become Decimal128 while it
     * holds them exactly (34 digits) and doubles beyond, as the browser's JavaScript reads them;
     * other numbers are doubles.
     */
    private static void write(BsonWriter writer, JsonNode node) {
        if (node.isObject()) {
            writer.writeStartDocument();
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                writer.writeName(DocumentKeys.encode(field.getKey(), false));
                write(writer, field.getValue());
            }
            writer.writeEndDocument();
        } else if (node.isArray()) {
            writer.writeStartArray();
            for (JsonNode element : node) {
                write(writer, element);
            }
            writer.writeEndArray();
        } else if (node.isString()) {
            writer.writeString(node.stringValue());
        } else if (node.isBoolean()) {
            writer.writeBoolean(node.booleanValue());
        } else if (node.isInt()) {
            writer.writeInt32(node.intValue());
        } else if (node.isLong()) {
            writer.writeInt64(node.longValue());
        } else if (node.isBigInteger()) {
            BigInteger integer = (BigInteger) node.numberValue();
            if (integer.abs().compareTo(LARGEST_EXACT_DECIMAL128) <= 0) {
                writer.writeDecimal128(new Decimal128(new BigDecimal(integer)));
            } else {
                writer.writeDouble(integer.doubleValue());
            }
        } else if (node.isNumber()) {
            writer.writeDouble(node.doubleValue());
        } else {
            writer.writeNull();
        }
    }

    /**
     * The event as the SDK sent it, plus {@code id} and {@code receivedAt} (epoch ms), for the read
     * API. The pipeline's id wins over a top-level {@code id} the client sent: an answer's id must
     * be the one {@code /api/errors/{id}} finds (the client's stays in the stored document).
     */
    public static Map<String, Object> toApi(Document document) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("id", document.get("_id"));
        document.forEach((key, value) -> {
            String name = DocumentKeys.decode(key);
            if (!DocumentKeys.RESERVED.contains(key) && !name.equals("id")) {
                event.put(name, apiValue(value));
            }
        });
        event.put("receivedAt", document.getDate("receivedAt").getTime());
        if (document.containsKey("fingerprint")) {
            event.put("fingerprint", document.getString("fingerprint"));
            event.put("errorTitle", document.getString("errorTitle"));
        }
        return event;
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
