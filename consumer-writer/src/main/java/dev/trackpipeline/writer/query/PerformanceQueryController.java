package dev.trackpipeline.writer.query;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import com.mongodb.client.model.Filters;
import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.model.event.PerformanceEvents;
import dev.trackpipeline.runtime.ApiException;
import dev.trackpipeline.runtime.ApiResponse;
import dev.trackpipeline.runtime.ReadAuthorization;
import dev.trackpipeline.writer.store.EventRepository;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bson.conversions.Bson;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The performance API over MongoDB, one path per kind of sample as in the seed server:
 * {@code /api/performance/metrics|resources|long-tasks|memory|fsp|white-screen}. Each answers a
 * page of raw samples, newest first, optionally for one {@code pageUrl} and filtered as in
 * {@link EventFilters}; aggregates (percentiles, ratings) come from the metrics API.
 */
@RestController
@Tag(name = "performance", description = "The stored performance samples")
public class PerformanceQueryController {

    /** Which samples a path serves: the type that holds them and, for performance, which {@code name}s. */
    private record Kind(String type, Optional<Bson> names) {
    }

    private static final Map<String, Kind> KINDS = Map.of(
            "metrics", new Kind("performance", Optional.of(Filters.in("name", PerformanceEvents.VITALS))),
            "resources", new Kind("performance", Optional.of(Filters.eq("name", "resourceList"))),
            "long-tasks", new Kind("performance", Optional.of(Filters.eq("name", "longTask"))),
            "memory", new Kind("performance", Optional.of(Filters.eq("name", "memory"))),
            "fsp", new Kind("performance", Optional.of(Filters.eq("name", "FSP"))),
            "white-screen", new Kind("whiteScreen", Optional.empty()));

    private static final String PAGE = "Page number, from 1 (the default), of pageSize samples each; not with after.";
    private static final String PAGE_SIZE = "The most samples a page holds, 1 to " + EventPages.MAX_PAGE_SIZE + " (default 20).";

    private final EventRepository repository;
    private final EventFamilies families;
    private final ReadAuthorization authorization;
    private final EventPages pages;

    public PerformanceQueryController(EventRepository repository, EventFamilies families, ReadAuthorization authorization,
                                      EventPages pages) {
        this.repository = repository;
        this.families = families;
        this.authorization = authorization;
        this.pages = pages;
    }

    /** @param name on {@code metrics} only: one vital (FCP, LCP, TTFB, FID, INP, CLS, FSP) */
    @Operation(summary = "Performance samples of one kind, newest first, paged", description = "kind: metrics (web vitals; name "
            + "narrows to one), resources, long-tasks, memory, fsp or white-screen. Read on with after=<next of the previous "
            + "answer>; page/pageSize remain for the seed server's clients (at most " + EventPages.MAX_DEPTH + " samples deep). A page "
            + "stops early when its documents reach the byte budget (budgetReached); total is counted up to a cap (totalIsAtLeast).")
    @GetMapping("/api/performance/{kind}")
    public ApiResponse<EventPages.Page> samples(@PathVariable String kind, @RequestParam String apikey,
                                                @RequestParam(required = false) Long startTime,
                                                @RequestParam(required = false) Long endTime,
                                                @RequestParam(required = false) String pageUrl,
                                                @RequestParam(required = false) String name,
                                                @Parameter(description = PAGE) @RequestParam(required = false) Integer page,
                                                @Parameter(description = PAGE_SIZE) @RequestParam(defaultValue = "20") int pageSize,
                                                @Parameter(description = ErrorQueryController.AFTER) @RequestParam(required = false) String after,
                                                @RequestParam Map<String, String> parameters,
                                                @RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String authorizationHeader) {
        authorization.requireRead(apikey, authorizationHeader);
        Kind samples = KINDS.get(kind);
        if (samples == null) {
            throw new ApiException(HttpStatus.NOT_FOUND, "kind: expected one of " + KINDS.keySet().stream().sorted().toList()
                    + ", got \"" + kind + "\"");
        }
        List<Bson> conditions = new QueryWindow(apikey, startTime, endTime).conditions();
        samples.names().ifPresent(conditions::add);
        if (name != null && (!kind.equals("metrics") || !PerformanceEvents.VITALS.contains(name))) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "name: expected one of "
                    + PerformanceEvents.VITALS.stream().sorted().toList() + " on /api/performance/metrics, got \"" + name + "\"");
        }
        conditions.addAll(EventFilters.from(parameters));
        if (pageUrl != null) {
            conditions.add(Filters.eq("pageUrl", pageUrl));
        }
        EventPages.Request request = EventPages.request(page, pageSize, after);
        var collection = repository.collection(families.forType(samples.type()).orElseThrow());
        return ApiResponse.ok(pages.read(apikey, collection, Filters.and(conditions), request));
    }
}
