package dev.trackpipeline.writer.query;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Sorts;
import dev.trackpipeline.runtime.ApiException;
import dev.trackpipeline.writer.store.EventDocuments;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * One page of events, newest first (by the SDK's {@code time}, ties by id), in the seed server's
 * paging terms, over one collection or several merged (the errors API spans three families).
 */
@Component
public class EventPages {

    static final int MAX_PAGE_SIZE = 100;
    /**
     * How deep paging goes. A deep page costs the store every event above it (and, merged, that
     * many from each collection); past this, narrowing {@code startTime}/{@code endTime} is the
     * way to older events.
     */
    static final int MAX_DEPTH = 10_000;

    private static final Bson NEWEST_FIRST = Sorts.orderBy(Sorts.descending("time"), Sorts.ascending("_id"));
    private static final Comparator<Document> NEWEST_FIRST_ORDER = Comparator
            .comparingDouble((Document document) -> document.get("time") instanceof Number time ? time.doubleValue() : Double.NEGATIVE_INFINITY)
            .reversed()
            .thenComparing(document -> String.valueOf(document.get("_id")));

    /** One page of events; {@code total} counts all that match. */
    public record Page(List<Map<String, Object>> list, long total, int page, int pageSize) {
    }

    Page read(MongoCollection<Document> collection, Bson filter, int page, int pageSize) {
        return read(List.of(collection), filter, page, pageSize);
    }

    Page read(List<MongoCollection<Document>> collections, Bson filter, int page, int pageSize) {
        if (page < 1) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "page: must be 1 or more, got " + page);
        }
        ApiException.requireBetween("pageSize", pageSize, 1, MAX_PAGE_SIZE);
        long depth = (long) page * pageSize;
        if (depth > MAX_DEPTH) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "page: pages reach at most " + MAX_DEPTH
                    + " events deep (page × pageSize); narrow startTime/endTime to reach older events");
        }
        long total = collections.stream().mapToLong(collection -> collection.countDocuments(filter)).sum();
        int skip = (page - 1) * pageSize;
        List<Document> newestFirst = new ArrayList<>();
        if (collections.size() == 1) {
            collections.get(0).find(filter).sort(NEWEST_FIRST).skip(skip).limit(pageSize).into(newestFirst);
        } else {
            for (MongoCollection<Document> collection : collections) {
                collection.find(filter).sort(NEWEST_FIRST).limit((int) depth).into(newestFirst);
            }
            newestFirst.sort(NEWEST_FIRST_ORDER);
        }
        List<Document> onPage = collections.size() == 1 ? newestFirst
                : newestFirst.subList(Math.min(skip, newestFirst.size()), Math.min(skip + pageSize, newestFirst.size()));
        return new Page(onPage.stream().map(EventDocuments::toApi).toList(), total, page, pageSize);
    }
}
