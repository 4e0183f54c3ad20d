package dev.trackpipeline.writer.query;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Sorts;
import dev.trackpipeline.runtime.ApiException;
import dev.trackpipeline.writer.store.EventDocuments;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/** One page of events, newest first (by the SDK's {@code time}), in the seed server's paging terms. */
@Component
public class EventPages {

    static final int MAX_PAGE_SIZE = 100;

    /** One page of events; {@code total} counts all that match. */
    public record Page(List<Map<String, Object>> list, long total, int page, int pageSize) {
    }

    Page read(MongoCollection<Document> collection, Bson filter, int page, int pageSize) {
        if (page < 1) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "page: must be 1 or more, got " + page);
        }
        if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "pageSize: must be between 1 and " + MAX_PAGE_SIZE + ", got " + pageSize);
        }
        long total = collection.countDocuments(filter);
        List<Map<String, Object>> list = new ArrayList<>();
        collection.find(filter).sort(Sorts.orderBy(Sorts.descending("time"), Sorts.ascending("_id")))
                .skip((page - 1) * pageSize).limit(pageSize)
                .forEach(document -> list.add(EventDocuments.toApi(document)));
        return new Page(list, total, page, pageSize);
    }
}
