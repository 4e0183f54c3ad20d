package dev.trackpipeline.writer.query;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * What a summary of one collection counts: the events a filter matches, or, when it matches more
 * than {@code limit}, its newest {@code limit} in the lists' total order (time, then id), found on
 * their index. A client choosing every event's time cannot make a summary count more.
 *
 * @param filter     the filter the summary runs on
 * @param newestOnly whether it was narrowed to the newest
 */
record NewestWithin(Bson filter, boolean newestOnly) {

    static NewestWithin of(MongoCollection<Document> collection, Bson filter, int limit, QueryDeadline deadline) {
        Document pastTheLimit = collection.find(filter).sort(EventOrder.NEWEST_FIRST)
                .projection(Projections.include("time")).skip(limit).limit(1)
                .maxTime(deadline.millisLeft(), TimeUnit.MILLISECONDS).first();
        if (pastTheLimit == null) {
            return new NewestWithin(filter, false);
        }
        Object time = pastTheLimit.get("time");
        return new NewestWithin(Filters.and(filter, Filters.or(Filters.gt("time", time),
                Filters.and(Filters.eq("time", time), Filters.lt("_id", pastTheLimit.get("_id"))))), true);
    }
}
