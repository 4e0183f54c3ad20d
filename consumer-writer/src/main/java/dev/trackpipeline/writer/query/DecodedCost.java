package dev.trackpipeline.writer.query;

import org.bson.BsonBinaryReader;
import org.bson.BsonReader;
import org.bson.BsonType;
import org.bson.RawBsonDocument;

/**
 * What a stored document costs the heap once an answer decodes it: its BSON bytes, plus a cost per
 * value. A page's budget counts this rather than the bytes alone, because the apikey is public and
 * an event of the largest accepted size made of tiny values (a million bytes of {@code {"0":{},…}},
 * 100,000 values) took 14 MB of heap as the Document and the API's map an answer builds of it,
 * where its 1 MB of BSON said nothing of that: four to a page, three pages at once, and the writer
 * ran out of memory (review of the read API). Events as the SDK sends them have tens of values,
 * so their pages are bounded by pageSize long before this.
 */
final class DecodedCost {

    /**
     * Bytes of heap per value, measured: 57.7 MB held for a page of four such events of 100,000
     * values each, about 144 bytes a value (the Document, its map entries and boxed values, then
     * the API's copy), rounded up.
     */
    static final int BYTES_PER_VALUE = 150;

    private DecodedCost() {
    }

    static long of(RawBsonDocument document) {
        long values = 0;
        try (BsonBinaryReader reader = new BsonBinaryReader(document.getByteBuffer().asNIO())) {
            values = countValues(reader);
        }
        return document.getByteBuffer().remaining() + BYTES_PER_VALUE * values;
    }

    /** The values of the document the reader is at, nested ones included, without decoding any. */
    private static long countValues(BsonReader reader) {
        long values = 0;
        reader.readStartDocument();
        while (reader.readBsonType() != BsonType.END_OF_DOCUMENT) {
            reader.skipName();
            values += countValue(reader);
        }
        reader.readEndDocument();
        return values;
    }

    private static long countValue(BsonReader reader) {
        switch (reader.getCurrentBsonType()) {
            case DOCUMENT:
                return 1 + countValues(reader);
            case ARRAY: {
                long values = 1;
                reader.readStartArray();
                while (reader.readBsonType() != BsonType.END_OF_DOCUMENT) {
                    values += countValue(reader);
                }
                reader.readEndArray();
                return values;
            }
            default:
                reader.skipValue();
                return 1;
        }
    }
}
