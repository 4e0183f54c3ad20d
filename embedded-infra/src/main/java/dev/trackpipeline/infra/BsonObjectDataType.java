package dev.trackpipeline.infra;

import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.ObjectId;
import de.bwaldvogel.mongo.wire.BsonConstants;
import de.bwaldvogel.mongo.wire.bson.BsonDecoder;
import de.bwaldvogel.mongo.wire.bson.BsonEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.ObjectDataType;

/**
 * How the stand-in's file store writes what mongo-java-server puts in it. H2's default type
 * writes anything it does not know (every document, every unique-index key, every ObjectId) with
 * Java serialization, and orders unique-index keys, which are not {@link Comparable}, by
 * serializing both sides of every comparison: that was nearly three quarters of the stand-in's CPU
 * under inserts shaped like the writer's (JFR, MongoStandInInsertRate). This type writes documents and index keys as BSON, the encoding the
 * wire already uses for them, and compares index keys value by value.
 *
 * <p>It reads everything the default type wrote (each value carries its own tag), so a store file
 * from before keeps its documents; its unique-index maps were ordered by the old comparison and
 * are rebuilt once (see {@link CommitBeforeReplyH2Backend}). A value BSON cannot hold (none that
 * comes over the wire) is still written the default way.
 */
final class BsonObjectDataType extends ObjectDataType {

    // Tags the default type never writes (it uses 0-19, 32-49 and 64-119).
    private static final byte TAG_BSON_DOCUMENT = 120;
    private static final byte TAG_BSON_INDEX_KEY = 121;
    private static final byte TAG_OBJECT_ID = 122;
    private static final byte TAG_STRING_INDEX_KEY = 123;

    private static final int OBJECT_ID_BYTES = 12;

    @Override
    public void write(WriteBuffer buffer, Object value) {
        if (value instanceof ObjectId id) {
            buffer.put(TAG_OBJECT_ID).put(id.toByteArray());
            return;
        }
        // An index leaf holds dozens of keys and is written again whole whenever one of them is
        // added: the common key, strings only, is written as H2 writes a string.
        if (value instanceof KeyValue key && allStrings(key)) {
            buffer.put(TAG_STRING_INDEX_KEY).putVarInt(key.size());
            for (Object string : key) {
                buffer.putVarInt(((String) string).length()).putStringData((String) string, ((String) string).length());
            }
            return;
        }
        ByteBuf bson = value instanceof Document document ? encode(document)
                : value instanceof KeyValue key ? encode(key)
                : null;
        if (bson == null) {
            super.write(buffer, value);
            return;
        }
        try {
            buffer.put(value instanceof Document ? TAG_BSON_DOCUMENT : TAG_BSON_INDEX_KEY).putVarInt(bson.readableBytes()).put(bson.nioBuffer());
        } finally {
            bson.release();
        }
    }

    @Override
    public Object read(ByteBuffer buffer) {
        byte tag = buffer.get(buffer.position());
        if (tag == TAG_OBJECT_ID) {
            buffer.get();
            byte[] id = new byte[OBJECT_ID_BYTES];
            buffer.get(id);
            return new ObjectId(id);
        }
        if (tag == TAG_STRING_INDEX_KEY) {
            buffer.get();
            Object[] strings = new Object[DataUtils.readVarInt(buffer)];
            for (int i = 0; i < strings.length; i++) {
                strings[i] = DataUtils.readString(buffer);
            }
            return new KeyValue(strings);
        }
        if (tag != TAG_BSON_DOCUMENT && tag != TAG_BSON_INDEX_KEY) {
            return super.read(buffer);
        }
        buffer.get();
        int length = DataUtils.readVarInt(buffer);
        ByteBuf bson = Unpooled.wrappedBuffer(buffer.slice(buffer.position(), length));
        buffer.position(buffer.position() + length);
        if (tag == TAG_BSON_DOCUMENT) {
            return BsonDecoder.decodeBson(bson);
        }
        @SuppressWarnings("unchecked")
        List<Object> values = (List<Object>) BsonDecoder.decodeValue(BsonConstants.TYPE_ARRAY, bson);
        return new KeyValue(values);
    }

    @Override
    public int compare(Object a, Object b) {
        if (a instanceof KeyValue left && b instanceof KeyValue right) {
            return compareKeys(left, right);
        }
        return super.compare(a, b);
    }

    @Override
    public int getMemory(Object value) {
        return value instanceof Document || value instanceof KeyValue || value instanceof ObjectId ? estimatedHeap(value) : super.getMemory(value);
    }

    private static boolean allStrings(KeyValue key) {
        for (Object value : key) {
            if (!(value instanceof String)) {
                return false;
            }
        }
        return true;
    }

    /** Null when BSON cannot hold the document, which then goes the default way. */
    private static ByteBuf encode(Document document) {
        ByteBuf buffer = Unpooled.buffer(1024);
        try {
            BsonEncoder.encodeDocument(document, buffer);
            return buffer;
        } catch (RuntimeException e) {
            buffer.release();
            return null;
        }
    }

    private static ByteBuf encode(KeyValue key) {
        ByteBuf buffer = Unpooled.buffer(64);
        try {
            BsonEncoder.encodeValue(BsonConstants.TYPE_ARRAY, values(key), buffer);
            return buffer;
        } catch (RuntimeException e) {
            buffer.release();
            return null;
        }
    }

    private static byte[] bytes(ByteBuf buffer) {
        byte[] bytes = new byte[buffer.readableBytes()];
        buffer.readBytes(bytes);
        return bytes;
    }

    private static List<Object> values(KeyValue key) {
        List<Object> values = new ArrayList<>(key.size());
        key.forEach(values::add);
        return values;
    }

    /**
     * A total order in which two keys are equal exactly when their values are of the same BSON
     * types and equal, as the serialized bytes the default type compared were. Unique indexes
     * only look keys up and scan them whole, so which order it is does not matter beyond that.
     */
    static int compareKeys(KeyValue left, KeyValue right) {
        int common = Math.min(left.size(), right.size());
        for (int i = 0; i < common; i++) {
            int order = compareValues(left.get(i), right.get(i));
            if (order != 0) {
                return order;
            }
        }
        return Integer.compare(left.size(), right.size());
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compareValues(Object left, Object right) {
        if (left instanceof String leftString && right instanceof String rightString) {
            return leftString.compareTo(rightString);
        }
        int byType = Integer.compare(typeRank(left), typeRank(right));
        if (byType != 0 || left == null) {
            return byType;
        }
        if (left.getClass() == right.getClass() && left instanceof Comparable comparable) {
            return comparable.compareTo(right);
        }
        return Arrays.compareUnsigned(encodeValue(left), encodeValue(right));
    }

    /** BSON's type byte; values BSON cannot hold (which normalised keys never carry) rank after all of them. */
    private static int typeRank(Object value) {
        try {
            return BsonEncoder.determineType(value);
        } catch (IllegalArgumentException e) {
            return Integer.MAX_VALUE;
        }
    }

    private static byte[] encodeValue(Object value) {
        ByteBuf buffer = Unpooled.buffer(64);
        try {
            BsonEncoder.encodeValue(BsonEncoder.determineType(value), value, buffer);
            return bytes(buffer);
        } catch (IllegalArgumentException e) {
            return serialize(value);
        } finally {
            buffer.release();
        }
    }

    /**
     * The heap a value takes once read, roughly: H2 sizes its cache and splits its pages by this.
     * The default type guessed twice the serialized size, which for documents was several times
     * what they hold.
     */
    private static int estimatedHeap(Object value) {
        if (value == null) {
            return 8;
        }
        if (value instanceof String string) {
            return 48 + string.length();
        }
        if (value instanceof Map<?, ?> map) {
            int bytes = 96;
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                bytes += 40 + estimatedHeap(entry.getKey()) + estimatedHeap(entry.getValue());
            }
            return bytes;
        }
        if (value instanceof Collection<?> collection) {
            int bytes = 56;
            for (Object element : collection) {
                bytes += 8 + estimatedHeap(element);
            }
            return bytes;
        }
        if (value instanceof KeyValue key) {
            int bytes = 72;
            for (Object element : key) {
                bytes += 8 + estimatedHeap(element);
            }
            return bytes;
        }
        if (value instanceof byte[] bytes) {
            return 16 + bytes.length;
        }
        return 32;
    }
}
