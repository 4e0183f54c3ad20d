package dev.trackpipeline.writer.query;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import com.mongodb.client.model.Accumulators;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.model.event.EventFamily;
import dev.trackpipeline.runtime.ApiException;
import dev.trackpipeline.runtime.ApiResponse;
import dev.trackpipeline.runtime.ReadAuthorization;
import dev.trackpipeline.writer.WriterProperties;
import dev.trackpipeline.writer.store.EventDocuments;
import dev.trackpipeline.writer.store.EventRepository;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.bson.conversions.Bson;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The errors API over MongoDB: everything that went wrong in a project's pages, across the
 * error families (JavaScript errors and rejections, failed resources, failed XHR/fetch calls).
 */
@RestController
@Tag(name = "errors", description = "The stored JavaScript errors, rejections, resource and HTTP failures")
public class ErrorQueryController {

    static final int MAX_LIMIT = 100;
    static final String PAGE = "Page number, from 1 (the default), of pageSize errors each; not with after.";
    static final String PAGE_SIZE = "The most errors a page holds, 1 to " + EventPages.MAX_PAGE_SIZE + " (default 20).";
    static final String AFTER = "A cursor: the next of a previous answer, passed back unchanged; the page holds what follows it. "
            + "Not with page.";

    private final EventRepository repository;
    private final EventFamilies families;
    private final ReadAuthorization authorization;
    private final EventPages pages;
    private final ReadSlots slots;
    private final int statsLimit;

    public ErrorQueryController(EventRepository repository, EventFamilies families, ReadAuthorization authorization, EventPages pages,
                                ReadSlots slots, WriterProperties properties) {
        this.repository = repository;
        this.families = families;
        this.authorization = authorization;
        this.pages = pages;
        this.slots = slots;
        this.statsLimit = properties.read().statsLimit();
    }

    /**
     * A project's errors, newest first, paged; optionally of one {@code type} and filtered as in
     * {@link EventFilters}. Without {@code type} it merges the error families' collections as they
     * stream from MongoDB (see {@link EventPages}).
     */
    @Operation(summary = "A project's errors, newest first, paged", description = "Of every error family, or of one type. "
            + "Read on with after=<next of the previous answer>; page/pageSize remain for the seed server's clients (at most "
            + EventPages.MAX_DEPTH + " events deep). A page holds at most pageSize errors and stops earlier when its documents "
            + "reach the byte budget (budgetReached; always at least one error). total is counted up to a cap (totalIsAtLeast).")
    @GetMapping("/api/errors/list")
    public ApiResponse<EventPages.Page> list(@RequestParam String apikey,
                                    @RequestParam(required = false) Long startTime,
                                    @RequestParam(required = false) Long endTime,
                                    @RequestParam(required = false) String type,
                                    @Parameter(description = "Only the occurrences of this error group (the fingerprint of "
                                            + "/api/errors/stats or /api/errors/groups/{fingerprint}).")
                                    @RequestParam(required = false) String fingerprint,
                                    @Parameter(description = "Only the errors of pages whose pageUrl starts with this, "
                                            + "as text (at most " + PageUrlPrefix.MAX_LENGTH + " characters).")
                                    @RequestParam(required = false) String pageUrlPrefix,
                                    @Parameter(description = PAGE) @RequestParam(required = false) Integer page,
                                    @Parameter(description = PAGE_SIZE) @RequestParam(defaultValue = "20") int pageSize,
                                    @Parameter(description = AFTER) @RequestParam(required = false) String after,
                                    @RequestParam Map<String, String> parameters,
                                    @RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String authorizationHeader) {
        authorization.requireRead(apikey, authorizationHeader);
        var window = new QueryWindow(apikey, startTime, endTime);
        List<EventFamily> searched = families.errorFamilies();
        if (type != null) {
            searched = List.of(families.forType(type).filter(EventFamily::reportsErrors).orElseThrow(() -> new ApiException(
                    HttpStatus.BAD_REQUEST, "type: expected one of " + families.errorTypes() + ", got \"" + type + "\"")));
        }
        EventPages.Request request = EventPages.request(page, pageSize, after);
        List<Bson> conditions = window.conditions();
        if (type != null) conditions.add(Filters.eq("type", type));
        if (fingerprint != null) conditions.add(Filters.eq("fingerprint", fingerprint));
        if (pageUrlPrefix != null && !pageUrlPrefix.isEmpty()) conditions.add(PageUrlPrefix.condition(pageUrlPrefix));
        conditions.addAll(EventFilters.from(parameters));
        Bson filter = Filters.and(conditions);

        return ApiResponse.ok(pages.read(apikey, searched.stream().map(repository::collection).toList(), filter, request));
    }

    /** One error by its event id. */
    @Operation(summary = "One error by its event id", description = "The stored document: the event as the SDK sent it, "
            + "with its received-at and fingerprint.")
    @GetMapping("/api/errors/{id}")
    public ApiResponse<Map<String, Object>> one(@PathVariable String id, @RequestParam String apikey,
                                                @RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String authorizationHeader) {
        authorization.requireRead(apikey, authorizationHeader);
        // By its id alone, then its project checked here: ids are unique in a collection, so the
        // answer is the same as asking for both, and the id alone is what the MongoDB-wire stand-in
        // finds on its _id index (with the apikey beside it, it scanned the collection: up to 2.9 s
        // at a million events; bench/results/2026-12-01T2330-reads-profile.md).
        // An event of the largest accepted size made of tiny values takes about 14 MB once decoded
        // (DecodedCost): read like a page, within a slot, so that concurrent reads of one cannot
        // run the writer out of memory.
        return ApiResponse.ok(slots.read(apikey, deadline -> families.errorFamilies().stream()
                .map(family -> repository.collection(family).find(Filters.eq("_id", id))
                        .maxTime(deadline.millisLeft(), TimeUnit.MILLISECONDS).first())
                .filter(java.util.Objects::nonNull)
                .filter(document -> apikey.equals(document.getString("apikey")))
                .findFirst()
                .map(EventDocuments::toApi)
                .orElseThrow(() -> new ApiException(HttpStatus.NOT_FOUND, "id: no error \"" + id + "\" in project \"" + apikey + "\""))));
    }

    /**
     * Counts by type and the largest groups (by fingerprint) in a window, over at most its newest
     * {@code stats-limit} errors of each family. A fingerprint belongs to one family, so each
     * family's largest groups, merged, are the project's largest groups.
     */
    @Operation(summary = "Error counts by type and the largest groups in a window (over its newest errors of each family, up to a limit)")
    @GetMapping("/api/errors/stats")
    public ApiResponse<ErrorStats> stats(@RequestParam String apikey,
                                         @RequestParam(required = false) Long startTime,
                                         @RequestParam(required = false) Long endTime,
                                         @RequestParam(defaultValue = "20") int limit,
                                         @RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String authorizationHeader) {
        authorization.requireRead(apikey, authorizationHeader);
        ApiException.requireBetween("limit", limit, 1, MAX_LIMIT);
        List<Bson> window = new QueryWindow(apikey, startTime, endTime).conditions();
        // Aggregations over up to stats-limit errors per family: the costliest read there is, so it
        // takes a slot and stops at the query timeout like the lists.
        return ApiResponse.ok(slots.read(apikey, deadline -> stats(window, limit, deadline)));
    }

    private ErrorStats stats(List<Bson> window, int limit, QueryDeadline deadline) {
        Map<String, Long> byType = new TreeMap<>();
        List<ErrorStats.Group> groups = new ArrayList<>();
        boolean newestOnly = false;
        for (EventFamily family : families.errorFamilies()) {
            var collection = repository.collection(family);
            NewestWithin counted = NewestWithin.of(collection, Filters.and(window), statsLimit, deadline);
            newestOnly |= counted.newestOnly();
            Bson match = Aggregates.match(counted.filter());
            collection.aggregate(List.of(match, Aggregates.group("$type", Accumulators.sum("count", 1))))
                    .maxTime(deadline.millisLeft(), TimeUnit.MILLISECONDS)
                    .forEach(row -> byType.merge(row.getString("_id"), ((Number) row.get("count")).longValue(), Long::sum));
            collection.aggregate(List.of(match,
                            Aggregates.group("$fingerprint", Accumulators.sum("count", 1), Accumulators.first("title", "$errorTitle"),
                                    Accumulators.max("lastSeen", "$time")),
                            Aggregates.sort(Sorts.orderBy(Sorts.descending("count"), Sorts.ascending("_id"))),
                            Aggregates.limit(limit)))
                    .maxTime(deadline.millisLeft(), TimeUnit.MILLISECONDS)
                    .forEach(row -> groups.add(new ErrorStats.Group(row.getString("_id"), row.getString("title"),
                            ((Number) row.get("count")).longValue(), ((Number) row.get("lastSeen")).longValue())));
        }
        groups.sort(Comparator.comparingLong(ErrorStats.Group::count).reversed().thenComparing(ErrorStats.Group::fingerprint));
        long total = byType.values().stream().mapToLong(Long::longValue).sum();
        return new ErrorStats(total, byType, List.copyOf(groups.subList(0, Math.min(limit, groups.size()))), newestOnly);
    }

    /**
     * A window's errors: the total, per type, and the largest groups; {@code newestOnly} when a
     * family held more than {@code track.writer.read.stats-limit} errors in the window, so that the
     * figures are over its newest ones.
     */
    public record ErrorStats(long total, Map<String, Long> byType, List<Group> groups, boolean newestOnly) {

        /** One group of errors: its fingerprint, readable title, occurrences and last time seen (epoch ms). */
        public record Group(String fingerprint, String title, long count, long lastSeen) {
        }
    }
}
