package dev.trackpipeline.writer.query;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.runtime.ApiException;
import dev.trackpipeline.runtime.ApiResponse;
import dev.trackpipeline.runtime.ReadAuthorization;
import dev.trackpipeline.writer.store.EventDocuments;
import dev.trackpipeline.writer.store.EventRepository;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bson.conversions.Bson;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/errors/list}: a project's JavaScript errors and rejections, newest first, paged. */
@RestController
public class ErrorQueryController {

    static final int MAX_PAGE_SIZE = 100;

    /** One page of events; {@code total} counts all that match. */
    public record Page(List<Map<String, Object>> list, long total, int page, int pageSize) {
    }

    private final EventRepository repository;
    private final EventFamilies families;
    private final ReadAuthorization authorization;

    public ErrorQueryController(EventRepository repository, EventFamilies families, ReadAuthorization authorization) {
        this.repository = repository;
        this.families = families;
        this.authorization = authorization;
    }

    @GetMapping("/api/errors/list")
    public ApiResponse<Page> list(@RequestParam String apikey,
                                    @RequestParam(required = false) Long startTime,
                                    @RequestParam(required = false) Long endTime,
                                    @RequestParam(required = false) String type,
                                    @RequestParam(defaultValue = "1") int page,
                                    @RequestParam(defaultValue = "20") int pageSize,
                                    @RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String authorizationHeader) {
        authorization.requireRead(apikey, authorizationHeader);
        if (page < 1) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "page: must be 1 or more, got " + page);
        }
        if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "pageSize: must be between 1 and " + MAX_PAGE_SIZE + ", got " + pageSize);
        }
        if (startTime != null && endTime != null && startTime > endTime) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "startTime: must not be after endTime");
        }
        var errors = families.forType("error").orElseThrow();
        if (type != null && !errors.types().contains(type)) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "type: expected one of " + errors.types() + ", got \"" + type + "\"");
        }
        List<Bson> conditions = new ArrayList<>(List.of(Filters.eq("apikey", apikey)));
        if (type != null) conditions.add(Filters.eq("type", type));
        if (startTime != null) conditions.add(Filters.gte("time", startTime));
        if (endTime != null) conditions.add(Filters.lte("time", endTime));
        Bson filter = Filters.and(conditions);

        var collection = repository.collection(errors);
        long total = collection.countDocuments(filter);
        List<Map<String, Object>> list = new ArrayList<>();
        collection.find(filter).sort(Sorts.orderBy(Sorts.descending("time"), Sorts.ascending("_id")))
                .skip((page - 1) * pageSize).limit(pageSize)
                .forEach(document -> list.add(EventDocuments.toApi(document)));
        return ApiResponse.ok(new Page(list, total, page, pageSize));
    }
}
