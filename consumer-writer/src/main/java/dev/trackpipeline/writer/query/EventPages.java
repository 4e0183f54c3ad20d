package dev.trackpipeline.writer.query;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.model.CountOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import dev.trackpipeline.runtime.ApiException;
import dev.trackpipeline.writer.WriterProperties;
import dev.trackpipeline.writer.query.PageCursors.EventPosition;
import dev.trackpipeline.writer.store.EventDocuments;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.codecs.Codec;
import org.bson.conversions.Bson;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * One page of events in {@link EventOrder} (newest first), over one collection or several
 * merged (the errors API spans three families), either by number in the seed server's terms
 * ({@code page}, {@code pageSize}) or after a cursor ({@code after}, an answer's {@code next}).
 *
 * <p>What a page costs is bounded whatever the project holds: it holds documents of at most
 * {@code track.writer.read.page-budget} bytes (BSON) in all, except that its first document is
 * always held; each collection's cursor fetches {@code batch-size} documents at a time and at
 * most one more than a page; collections are merged as they stream, never loaded and sorted; a
 * page by number past the first skips in MongoDB (one collection) or over ids and times only
 * (several); and {@code total} counts at most {@code count-limit} documents.
 */
@Component
public class EventPages {

    static final int MAX_PAGE_SIZE = 100;
    /**
     * How deep paging by number goes: a deep page costs the store every event above it. Past
     * this, {@code after} (or a narrower {@code startTime}/{@code endTime}) reaches older events.
     */
    static final int MAX_DEPTH = 10_000;
    /** Ids and times are small: skipping over them fetches this many per collection at a time. */
    private static final int KEYS_BATCH_SIZE = 1_000;

    private final WriterProperties.Read limits;
    private final ReadSlots slots;

    public EventPages(WriterProperties properties, ReadSlots slots) {
        this.limits = properties.read();
        this.slots = slots;
    }

    /** One page of events. */
    @Schema(description = "One page of events, newest first (by time, ties by id). To read on, pass next as after; "
            + "paging by number (page) is kept for the seed server's clients.")
    public record Page(
            @Schema(description = "The events, newest first: each as the SDK sent it, with id, receivedAt and, for errors, "
                    + "fingerprint and errorTitle.")
            List<Map<String, Object>> list,
            @Schema(description = "How many events match the query (not this page), counted up to track.writer.read.count-limit "
                    + "(10,000 by default); when totalIsAtLeast is true there are more than this.")
            long total,
            @Schema(types = {"integer", "null"}, description = "The page number asked for; null when the page was asked for with after.")
            Integer page,
            @Schema(description = "The most events this page could hold.")
            int pageSize,
            @Schema(types = {"string", "null"}, description = "An opaque cursor: pass it as after for the events that follow this page. "
                    + "Null when none follow.")
            String next,
            @Schema(description = "True when total stopped at the count limit: at least that many events match.")
            boolean totalIsAtLeast,
            @Schema(description = "True when the page stopped before pageSize events because its documents reached the byte budget "
                    + "(track.writer.read.page-budget, 4 MiB of BSON by default); next continues right after its last event. "
                    + "Page page + 1 would skip the events this page could not hold.")
            boolean budgetReached) {
    }

    /** What a client asked for: a page by number, or the page after a cursor. */
    record Request(Integer page, int pageSize, EventPosition after) {
    }

    /**
     * Checks the paging parameters of a list endpoint.
     *
     * @param page  the page number, or null (the first page, unless {@code after} is given)
     * @param after a cursor from an answer's {@code next}, or null
     */
    static Request request(Integer page, int pageSize, String after) {
        if (after != null && page != null) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "after: cannot be combined with page (the cursor says where the page starts)");
        }
        int number = page == null ? 1 : page;
        if (number < 1) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "page: must be 1 or more, got " + number);
        }
        ApiException.requireBetween("pageSize", pageSize, 1, MAX_PAGE_SIZE);
        if (after != null) {
            return new Request(null, pageSize, PageCursors.decodeEvents("after", after));
        }
        if ((long) number * pageSize > MAX_DEPTH) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "page: pages reach at most " + MAX_DEPTH
                    + " events deep (page × pageSize); pass the next of an answer as after, or narrow startTime/endTime, to reach older events");
        }
        return new Request(number, pageSize, null);
    }

    /** @param apikey the project the filter reads, whose share of the read slots the read takes */
    Page read(String apikey, MongoCollection<Document> collection, Bson filter, Request request) {
        return read(apikey, List.of(collection), filter, request);
    }

    Page read(String apikey, List<MongoCollection<Document>> collections, Bson filter, Request request) {
        return slots.read(apikey, deadline -> readPage(collections, filter, request, deadline));
    }

    private Page readPage(List<MongoCollection<Document>> collections, Bson filter, Request request, QueryDeadline deadline) {
        long countLimit = limits.countLimit();
        long counted = count(collections, filter, countLimit + 1, deadline);
        boolean totalIsAtLeast = counted > countLimit;
        long total = Math.min(counted, countLimit);

        Optional<EventPosition> start = Optional.ofNullable(request.after());
        int skip = 0;
        if (request.page() != null && request.page() > 1) {
            int above = (request.page() - 1) * request.pageSize();
            if (collections.size() == 1) {
                skip = above;
            } else {
                start = positionAfter(collections, filter, above, deadline);
                if (start.isEmpty()) {
                    return new Page(List.of(), total, request.page(), request.pageSize(), null, totalIsAtLeast, false);
                }
            }
        }

        try (Merge merge = new Merge()) {
            for (MongoCollection<Document> collection : collections) {
                String name = collection.getNamespace().getCollectionName();
                Bson query = start.map(position -> Filters.and(filter, EventOrder.after(position, name))).orElse(filter);
                int limit = request.pageSize() + 1;
                merge.add(new Source(name, collection.withDocumentClass(RawBsonDocument.class).find(query)
                        .maxTime(deadline.millisLeftSharedBy(collections.size()), TimeUnit.MILLISECONDS).sort(EventOrder.NEWEST_FIRST)
                        .skip(skip).limit(limit).batchSize(Math.min(limit, limits.batchSize())).cursor()));
            }
            Filled filled = fill(merge, request.pageSize());
            Codec<Document> codec = collections.get(0).getCodecRegistry().get(Document.class);
            List<Map<String, Object>> list = filled.documents().stream().map(document -> EventDocuments.toApi(document.decode(codec))).toList();
            return new Page(list, total, request.page(), request.pageSize(), filled.next(), totalIsAtLeast, filled.budgetReached());
        }
    }

    private record Filled(List<RawBsonDocument> documents, String next, boolean budgetReached) {
    }

    /** Takes documents in order until the page is full, the budget would be exceeded, or none are left. */
    private Filled fill(Merge merge, int pageSize) {
        long budget = limits.pageBudget().toBytes();
        List<RawBsonDocument> held = new ArrayList<>();
        long bytes = 0;
        boolean budgetReached = false;
        EventPosition last = null;
        while (held.size() < pageSize) {
            Source next = merge.peek();
            if (next == null) {
                break;
            }
            long size = DecodedCost.of(next.head);
            if (!held.isEmpty() && bytes + size > budget) {
                budgetReached = true;
                break;
            }
            Taken taken = merge.take();
            held.add(taken.document());
            bytes += size;
            last = taken.position();
        }
        boolean more = budgetReached || merge.hasMore();
        return new Filled(held, more && last != null ? PageCursors.encode(last) : null, budgetReached);
    }

    /**
     * Where page {@code n} of several merged collections starts: the position of the last of the
     * {@code above} events before it, found by merging the collections' ids and times only.
     * Empty when fewer events match.
     */
    private Optional<EventPosition> positionAfter(List<MongoCollection<Document>> collections, Bson filter, int above, QueryDeadline deadline) {
        try (Merge merge = new Merge()) {
            for (MongoCollection<Document> collection : collections) {
                merge.add(new Source(collection.getNamespace().getCollectionName(), collection.withDocumentClass(RawBsonDocument.class)
                        .find(filter).maxTime(deadline.millisLeftSharedBy(collections.size()), TimeUnit.MILLISECONDS)
                        .projection(Projections.include("time")).sort(EventOrder.NEWEST_FIRST)
                        .limit(above).batchSize(Math.min(above, KEYS_BATCH_SIZE)).cursor()));
            }
            EventPosition last = null;
            for (int i = 0; i < above; i++) {
                if (merge.peek() == null) {
                    return Optional.empty();
                }
                last = merge.take().position();
            }
            return Optional.ofNullable(last);
        }
    }

    /** How many documents match, counting at most {@code limit} over all the collections. */
    private long count(List<MongoCollection<Document>> collections, Bson filter, long limit, QueryDeadline deadline) {
        long counted = 0;
        for (MongoCollection<Document> collection : collections) {
            if (counted >= limit) {
                break;
            }
            counted += collection.countDocuments(filter, new CountOptions().limit((int) Math.min(Integer.MAX_VALUE, limit - counted))
                    .maxTime(deadline.millisLeft(), TimeUnit.MILLISECONDS));
        }
        return counted;
    }

    /** One collection's sorted cursor and the document at its head. */
    private static final class Source {

        final String collection;
        final MongoCursor<RawBsonDocument> cursor;
        RawBsonDocument head;
        EventPosition position;

        Source(String collection, MongoCursor<RawBsonDocument> cursor) {
            this.collection = collection;
            this.cursor = cursor;
        }

        boolean advance() {
            if (cursor.hasNext()) {
                head = cursor.next();
                position = EventOrder.positionOf(head, collection);
                return true;
            }
            head = null;
            position = null;
            return false;
        }
    }

    private record Taken(RawBsonDocument document, EventPosition position) {
    }

    /**
     * A k-way merge of sorted cursors. A source taken from is advanced only when the merge is
     * asked for what comes next, so a full page does not fetch another batch it will not use.
     */
    private static final class Merge implements AutoCloseable {

        private final List<Source> sources = new ArrayList<>();
        private final PriorityQueue<Source> ready = new PriorityQueue<>((a, b) -> EventOrder.POSITIONS.compare(a.position, b.position));
        private Source taken;

        void add(Source source) {
            sources.add(source);
            if (source.advance()) {
                ready.add(source);
            }
        }

        /** The source whose head comes next, or null when every source is exhausted. */
        Source peek() {
            restore();
            return ready.peek();
        }

        Taken take() {
            restore();
            Source source = ready.poll();
            taken = source;
            return new Taken(source.head, source.position);
        }

        boolean hasMore() {
            if (!ready.isEmpty()) {
                return true;
            }
            restore();
            return !ready.isEmpty();
        }

        private void restore() {
            if (taken != null) {
                if (taken.advance()) {
                    ready.add(taken);
                }
                taken = null;
            }
        }

        @Override
        public void close() {
            sources.forEach(source -> source.cursor.close());
        }
    }
}
