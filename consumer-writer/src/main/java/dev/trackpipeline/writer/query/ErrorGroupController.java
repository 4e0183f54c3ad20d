package dev.trackpipeline.writer.query;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Accumulators;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.CountOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;
import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.model.event.EventCheck;
import dev.trackpipeline.model.event.EventFamily;
import dev.trackpipeline.runtime.ApiException;
import dev.trackpipeline.runtime.ApiResponse;
import dev.trackpipeline.runtime.ReadAuthorization;
import dev.trackpipeline.writer.WriterProperties;
import dev.trackpipeline.writer.store.EventRepository;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.bson.BsonType;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * One error group drilled into: from a top error (its fingerprint) to how often it happened and
 * when, to how many sessions, on which pages, browsers, systems and devices, and how many of its
 * occurrences name a session recording. Its occurrences themselves, with their breadcrumbs, are
 * {@code /api/errors/list?fingerprint=...}. Like the stats, it counts at most the window's newest
 * {@code stats-limit} occurrences ({@code newestOnly} says when), within a read slot and the
 * query timeout.
 */
@RestController
@Tag(name = "errors")
public class ErrorGroupController {

    /** How many values each breakdown names, the most frequent first. */
    static final int TOP = 10;
    /**
     * What of a value a breakdown groups by: a page's URL or a browser's name is a client's string
     * of up to the event's size, and 20,000 of them whole would be what MongoDB groups and this
     * answer carries.
     */
    static final int VALUE_CHARACTERS = 200;
    static final int MAX_BUCKETS = 240;
    static final String BREAKDOWNS = "pages (pageUrl), browsers, systems (os) and devices (device_type)";

    private final EventRepository repository;
    private final EventFamilies families;
    private final ReadAuthorization authorization;
    private final ReadSlots slots;
    private final int limit;
    private final java.time.Clock clock;

    @org.springframework.beans.factory.annotation.Autowired
    public ErrorGroupController(EventRepository repository, EventFamilies families, ReadAuthorization authorization, ReadSlots slots,
                                WriterProperties properties) {
        this(repository, families, authorization, slots, properties, java.time.Clock.systemUTC());
    }

    /** With the clock that says where "now" is on the timeline: tests set it. */
    ErrorGroupController(EventRepository repository, EventFamilies families, ReadAuthorization authorization, ReadSlots slots,
                         WriterProperties properties, java.time.Clock clock) {
        this.repository = repository;
        this.families = families;
        this.authorization = authorization;
        this.slots = slots;
        this.limit = properties.read().statsLimit();
        this.clock = clock;
    }

    @Operation(summary = "One error group (a fingerprint of /api/errors/stats or the top errors) drilled into", description = "Its "
            + "occurrences in the window: how many, first and last seen, over time (buckets of equal length from startTime, or the "
            + "first occurrence, to endTime, or the last; a future endTime stops at now, or at the last occurrence when it is later), distinct sessions (uuid), how many name a recording (recordScreenId), and "
            + "the " + TOP + " most frequent " + BREAKDOWNS + " (their first " + VALUE_CHARACTERS + " characters). Over at most the window's newest occurrences up to a limit "
            + "(newestOnly). The occurrences themselves: /api/errors/list?fingerprint=<fingerprint>. 404 when the project has no "
            + "error of that fingerprint at all.")
    @GetMapping("/api/errors/groups/{fingerprint}")
    public ApiResponse<ErrorGroup> group(@PathVariable String fingerprint, @RequestParam String apikey,
                                         @RequestParam(required = false) Long startTime,
                                         @RequestParam(required = false) Long endTime,
                                         @Parameter(description = "How many equal buckets the occurrences over time are counted in, 1 to "
                                                 + MAX_BUCKETS + " (default 60).")
                                         @RequestParam(defaultValue = "60") int buckets,
                                         @RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String authorizationHeader) {
        authorization.requireRead(apikey, authorizationHeader);
        ApiException.requireBetween("buckets", buckets, 1, MAX_BUCKETS);
        var window = new QueryWindow(apikey, startTime, endTime);
        return ApiResponse.ok(slots.read(apikey, deadline -> {
            Found found = find(apikey, fingerprint, deadline).orElseThrow(() -> new ApiException(HttpStatus.NOT_FOUND,
                    "fingerprint: no error group \"" + fingerprint + "\" in project \"" + apikey + "\""));
            List<Bson> conditions = window.conditions();
            conditions.add(Filters.eq("fingerprint", fingerprint));
            NewestWithin counted = NewestWithin.of(found.collection(), Filters.and(conditions), limit, deadline);
            return summary(found, fingerprint, counted, window, buckets, deadline);
        }));
    }

    /** The collection of the family the fingerprint belongs to (a fingerprint is of one family), and one of its errors. */
    private record Found(MongoCollection<Document> collection, Document example) {
    }

    private Optional<Found> find(String apikey, String fingerprint, QueryDeadline deadline) {
        Bson ofGroup = Filters.and(Filters.eq("apikey", apikey), Filters.eq("fingerprint", fingerprint));
        for (EventFamily family : families.errorFamilies()) {
            MongoCollection<Document> collection = repository.collection(family);
            Document example = collection.find(ofGroup).projection(Projections.include("type", "errorTitle")).limit(1)
                    .maxTime(deadline.millisLeft(), TimeUnit.MILLISECONDS).first();
            if (example != null) {
                return Optional.of(new Found(collection, example));
            }
        }
        return Optional.empty();
    }

    private ErrorGroup summary(Found found, String fingerprint, NewestWithin counted, QueryWindow window, int buckets,
                               QueryDeadline deadline) {
        MongoCollection<Document> collection = found.collection();
        // Times only, at most `limit` of them (events arriving meanwhile cannot add more): the count,
        // first and last seen and the timeline in one pass.
        List<Long> times = new ArrayList<>();
        collection.find(counted.filter()).projection(Projections.include("time")).limit(limit)
                .maxTime(deadline.millisLeft(), TimeUnit.MILLISECONDS)
                .forEach(document -> times.add(((Number) document.get("time")).longValue()));
        long first = times.stream().mapToLong(Long::longValue).min().orElse(0);
        long last = times.stream().mapToLong(Long::longValue).max().orElse(0);
        // Left out, the occurrences before the newest `limit` would read as none: the timeline then starts at the first counted.
        long start = window.startTime() != null ? window.startTime() : first;
        if (counted.newestOnly() && !times.isEmpty()) {
            start = Math.max(start, first);
        }
        // A window ending in the future (a reader allowing for browsers' clocks ahead) stops at now, or at
        // the last occurrence when that is later: no stretch of buckets nothing can have happened in yet.
        long end = window.endTime() == null ? last : Math.min(window.endTime(), Math.max(last, clock.millis()));
        if (times.isEmpty() && window.startTime() == null) {
            start = end; // none in the window: one empty bucket at its end, not a timeline from 1970
        }
        Timeline timeline = Timeline.of(times, start, end, buckets);

        long sessions = firstCount(collection.aggregate(List.of(Aggregates.match(counted.filter()), Aggregates.group("$uuid"),
                Aggregates.group(null, Accumulators.sum("count", 1)))).maxTime(deadline.millisLeft(), TimeUnit.MILLISECONDS).first());
        // a recording is named by a string; null and "" name none
        long withRecording = collection.countDocuments(Filters.and(counted.filter(), Filters.type("recordScreenId", BsonType.STRING),
                Filters.ne("recordScreenId", "")), new CountOptions().maxTime(deadline.millisLeft(), TimeUnit.MILLISECONDS));
        return new ErrorGroup(fingerprint, found.example().getString("type"), found.example().getString("errorTitle"), times.size(),
                times.isEmpty() ? null : first, times.isEmpty() ? null : last, sessions, withRecording, timeline,
                top(collection, counted, "pageUrl", deadline), top(collection, counted, "deviceInfo.browser", deadline),
                top(collection, counted, "deviceInfo.os", deadline), top(collection, counted, "deviceInfo.device_type", deadline),
                counted.newestOnly());
    }

    private static List<Count> top(MongoCollection<Document> collection, NewestWithin counted, String field, QueryDeadline deadline) {
        List<Count> top = new ArrayList<>();
        // $substrCP makes a missing or null value "", and a number its text
        Document truncated = new Document("value", new Document("$substrCP", List.of("$" + field, 0, VALUE_CHARACTERS)));
        collection.aggregate(List.of(Aggregates.match(counted.filter()), Aggregates.project(truncated),
                        Aggregates.group("$value", Accumulators.sum("count", 1)),
                        Aggregates.sort(Sorts.orderBy(Sorts.descending("count"), Sorts.ascending("_id"))), Aggregates.limit(TOP)))
                .maxTime(deadline.millisLeft(), TimeUnit.MILLISECONDS)
                .forEach(row -> top.add(new Count(String.valueOf(row.get("_id")), ((Number) row.get("count")).longValue())));
        return top;
    }

    private static long firstCount(Document row) {
        return row == null ? 0 : ((Number) row.get("count")).longValue();
    }

    /**
     * One error group in a window.
     *
     * @param count         occurrences counted (at most the limit; see newestOnly)
     * @param firstSeen     the earliest occurrence counted (epoch ms), null when none
     * @param sessions      distinct sessions (uuid) among them
     * @param withRecording how many name a session recording (recordScreenId)
     * @param pages         the most frequent pageUrl values (their first {@value #VALUE_CHARACTERS} characters; "" for
     *                      events without one), as browsers, systems and devices are of deviceInfo's
     */
    public record ErrorGroup(String fingerprint, String type, String title, long count, Long firstSeen, Long lastSeen, long sessions,
                             long withRecording, Timeline timeline, List<Count> pages, List<Count> browsers, List<Count> systems,
                             List<Count> devices, boolean newestOnly) {
    }

    /** A value and how many of the occurrences have it. */
    public record Count(String value, long count) {
    }

    /**
     * Occurrences over time: {@code counts[i]} happened in {@code [start + i × bucketMillis, start + (i + 1) × bucketMillis)};
     * the last bucket ends at {@code end} inclusive. At most the buckets asked for, fewer when the
     * span has fewer milliseconds; start and end within the times an event may carry, so no
     * window's edges can overflow the arithmetic.
     */
    public record Timeline(long start, long end, long bucketMillis, List<Long> counts) {

        static Timeline of(List<Long> times, long requestedStart, long requestedEnd, int buckets) {
            long start = Math.min(Math.max(requestedStart, 0), EventCheck.LATEST_EPOCH_MILLIS);
            long end = Math.min(Math.max(requestedEnd, start), EventCheck.LATEST_EPOCH_MILLIS);
            long span = end - start + 1;
            long bucketMillis = Math.max(1, (span + buckets - 1) / buckets);
            int used = (int) Math.max(1, Math.min(buckets, (span + bucketMillis - 1) / bucketMillis));
            long[] counts = new long[used];
            for (long time : times) {
                if (time >= start && time <= end) {
                    counts[(int) Math.min(used - 1, (time - start) / bucketMillis)]++;
                }
            }
            return new Timeline(start, end, bucketMillis, Arrays.stream(counts).boxed().toList());
        }
    }
}
