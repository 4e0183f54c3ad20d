package dev.trackpipeline.writer.query;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import dev.trackpipeline.writer.query.PageCursors.EventPosition;
import java.util.Comparator;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.bson.conversions.Bson;

/**
 * The order of every list of events the read API serves: newest first by the SDK's {@code time},
 * ties by event id, then (lists merged from several collections) by collection name. It is a
 * total order, so a position in it (a cursor) says exactly which events come after it, and the
 * indexes ({@code apikey, time desc, _id}, and the variants with {@code type} and {@code name})
 * serve it without sorting in memory.
 */
public final class EventOrder {

    /** The sort of one collection's query; within one collection the id settles every tie. */
    public static final Bson NEWEST_FIRST = Sorts.orderBy(Sorts.descending("time"), Sorts.ascending("_id"));

    /** The same order in Java, to merge the collections' sorted cursors. */
    static final Comparator<EventPosition> POSITIONS = Comparator.comparingLong(EventPosition::time).reversed()
            .thenComparing(EventPosition::id, EventOrder::compareCodePoints)
            .thenComparing(EventPosition::collection);

    private EventOrder() {
    }

    /**
     * The condition that keeps the events of {@code collection} after the position {@code cursor}
     * (an answer's {@code next}) names, for a query sorted {@link #NEWEST_FIRST}.
     *
     * @throws dev.trackpipeline.runtime.ApiException when the cursor is not one the API issued
     */
    public static Bson after(String cursor, String collection) {
        return after(PageCursors.decodeEvents("after", cursor), collection);
    }

    /** The cursor an answer gives after {@code document} of {@code collection}. */
    public static String cursorAfter(BsonDocument document, String collection) {
        return PageCursors.encode(positionOf(document, collection));
    }

    /**
     * Time at most the position's, and at the same time a later id; an equal id only in a
     * collection whose name sorts after the position's (only a record written past the gateway
     * can share its id with one of another family). The time bound leads, so the planner scans
     * the index from the position on.
     */
    static Bson after(EventPosition position, String collection) {
        Bson laterId = collection.compareTo(position.collection()) > 0 ? Filters.gte("_id", position.id()) : Filters.gt("_id", position.id());
        return Filters.and(Filters.lte("time", position.time()), Filters.or(Filters.lt("time", position.time()), laterId));
    }

    static EventPosition positionOf(BsonDocument document, String collection) {
        return new EventPosition(timeOf(document), document.getString("_id").getValue(), collection);
    }

    /** Every stored time is a positive integer of epoch milliseconds: the writer validates each event before storing it. */
    static long timeOf(BsonDocument document) {
        BsonValue time = document.get("time");
        if (time != null && time.isNumber()) {
            return time.asNumber().longValue();
        }
        if (time != null && time.isDecimal128()) {
            return time.asDecimal128().decimal128Value().bigDecimalValue().longValue();
        }
        throw new IllegalStateException("stored event " + document.get("_id") + " has no numeric time");
    }

    /** MongoDB orders strings by their UTF-8 bytes, which is the order of their code points (not of Java's UTF-16 chars). */
    static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int left = a.codePointAt(i);
            int right = b.codePointAt(j);
            if (left != right) {
                return Integer.compare(left, right);
            }
            i += Character.charCount(left);
            j += Character.charCount(right);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }
}
