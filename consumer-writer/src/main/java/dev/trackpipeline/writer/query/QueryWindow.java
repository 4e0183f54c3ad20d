package dev.trackpipeline.writer.query;

import com.mongodb.client.model.Filters;
import dev.trackpipeline.runtime.ApiException;
import java.util.ArrayList;
import java.util.List;
import org.bson.conversions.Bson;
import org.springframework.http.HttpStatus;

/** The seed server's {@code apikey}, {@code startTime}, {@code endTime} (epoch ms, inclusive, on the SDK's {@code time}). */
record QueryWindow(String apikey, Long startTime, Long endTime) {

    QueryWindow {
        if (startTime != null && endTime != null && startTime > endTime) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "startTime: must not be after endTime");
        }
    }

    List<Bson> conditions() {
        List<Bson> conditions = new ArrayList<>(List.of(Filters.eq("apikey", apikey)));
        if (startTime != null) conditions.add(Filters.gte("time", startTime));
        if (endTime != null) conditions.add(Filters.lte("time", endTime));
        return conditions;
    }
}
