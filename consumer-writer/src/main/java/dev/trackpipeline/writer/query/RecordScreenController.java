package dev.trackpipeline.writer.query;

import com.mongodb.client.MongoCursor;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;
import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.runtime.ApiException;
import dev.trackpipeline.runtime.ApiResponse;
import dev.trackpipeline.runtime.ReadAuthorization;
import dev.trackpipeline.writer.WriterProperties;
import dev.trackpipeline.writer.query.PageCursors.ChunkPosition;
import dev.trackpipeline.writer.store.EventRepository;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;
import org.bson.conversions.Bson;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/record-screen/{recordScreenId}}: a session recording's chunks in the order they
 * were recorded, a page at a time. Each chunk's {@code events} is as the SDK sent it:
 * base64(gzip(base64(JSON array of rrweb events))). A recording has no bound on its length, and
 * each chunk may be as large as an event may be, so a page holds at most {@code pageSize} chunks
 * and at most the byte budget ({@code track.writer.read.page-budget}), with a cursor to the rest.
 */
@RestController
@Tag(name = "session replay", description = "The stored session-replay recordings")
public class RecordScreenController {

    static final int MAX_PAGE_SIZE = 100;
    /** The SDK's ids are UUIDs (36 characters); this leaves room for others and refuses junk. */
    static final int MAX_ID_LENGTH = 128;

    /** Recorded order: the SDK's time, then the gateway's clock, then the id, so that any two chunks have one order. */
    public static final Bson RECORDED_ORDER = Sorts.orderBy(Sorts.ascending("time"), Sorts.ascending("receivedAt"), Sorts.ascending("_id"));

    private final EventRepository repository;
    private final EventFamilies families;
    private final ReadAuthorization authorization;
    private final WriterProperties.Read limits;
    private final ReadSlots slots;

    public RecordScreenController(EventRepository repository, EventFamilies families, ReadAuthorization authorization,
                                  WriterProperties properties, ReadSlots slots) {
        this.repository = repository;
        this.families = families;
        this.authorization = authorization;
        this.limits = properties.read();
        this.slots = slots;
    }

    /** One stored chunk of a recording. */
    public record Chunk(String id, long time, long receivedAt, String events) {
    }

    /** A page of a recording: its id, the page session it belongs to, chunks in order and where the next chunks start. */
    @Schema(description = "A page of a recording's chunks, in recorded order. To read on, pass next as after.")
    public record Recording(
            String recordScreenId,
            @Schema(types = {"string", "null"}, description = "The page session of the page's first chunk; null when the page is empty.")
            String uuid,
            @Schema(description = "At most pageSize chunks, in recorded order (time, then receivedAt, then id).")
            List<Chunk> chunks,
            @Schema(types = {"string", "null"}, description = "An opaque cursor: pass it as after for the chunks that follow. "
                    + "Null when none follow.")
            String next,
            @Schema(description = "True when the page stopped before pageSize chunks because they reached the byte budget "
                    + "(track.writer.read.page-budget, 4 MiB of BSON by default; a page always holds at least one chunk).")
            boolean budgetReached) {
    }

    @Operation(summary = "A recording's chunks in order, a page at a time", description = "events is the SDK's compressed rrweb "
            + "payload, as sent. A page holds at most pageSize chunks and stops earlier when they reach the byte budget "
            + "(budgetReached); next is the cursor to pass as after for the following chunks, null after the last. 404 when the "
            + "project has no chunk of that recording.")
    @GetMapping("/api/record-screen/{recordScreenId}")
    public ApiResponse<Recording> recording(@Parameter(description = "The recording's id (the SDK's recordScreenId), at most "
                                                    + MAX_ID_LENGTH + " characters.") @PathVariable String recordScreenId,
                                            @RequestParam String apikey,
                                            @Parameter(description = "The most chunks a page holds, 1 to " + MAX_PAGE_SIZE + " (default 20).")
                                            @RequestParam(defaultValue = "20") int pageSize,
                                            @Parameter(description = "A cursor: the next of a previous answer for this recording, "
                                                    + "passed back unchanged; the page holds the chunks that follow it.")
                                            @RequestParam(required = false) String after,
                                            @RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String authorizationHeader) {
        authorization.requireRead(apikey, authorizationHeader);
        if (recordScreenId.isBlank() || recordScreenId.length() > MAX_ID_LENGTH) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "recordScreenId: must be 1 to " + MAX_ID_LENGTH + " characters, got "
                    + recordScreenId.length());
        }
        ApiException.requireBetween("pageSize", pageSize, 1, MAX_PAGE_SIZE);
        ChunkPosition position = after == null ? null : PageCursors.decodeChunks("after", after);

        return ApiResponse.ok(slots.read(apikey, deadline -> readPage(apikey, recordScreenId, pageSize, position, deadline)));
    }

    /** A page of the recording's chunks from {@code position} on (from the first when null), within the budget. */
    private Recording readPage(String apikey, String recordScreenId, int pageSize, ChunkPosition position, QueryDeadline deadline) {
        List<Bson> conditions = new ArrayList<>(List.of(Filters.eq("apikey", apikey), Filters.eq("recordScreenId", recordScreenId)));
        if (position != null) {
            conditions.add(after(position));
        }
        int limit = pageSize + 1;
        var replays = repository.collection(families.forType("recordScreen").orElseThrow()).withDocumentClass(RawBsonDocument.class);
        long budget = limits.pageBudget().toBytes();
        List<Chunk> chunks = new ArrayList<>();
        String uuid = null;
        boolean budgetReached = false;
        boolean more = false;
        ChunkPosition last = null;
        long bytes = 0;
        try (MongoCursor<RawBsonDocument> cursor = replays.find(Filters.and(conditions))
                .maxTime(deadline.millisLeft(), TimeUnit.MILLISECONDS)
                .projection(Projections.include("time", "receivedAt", "events", "uuid")).sort(RECORDED_ORDER)
                .limit(limit).batchSize(Math.min(limit, limits.batchSize())).cursor()) {
            while (cursor.hasNext()) {
                RawBsonDocument document = cursor.next();
                long size = DecodedCost.of(document);
                if (chunks.size() == pageSize || (!chunks.isEmpty() && bytes + size > budget)) {
                    budgetReached = chunks.size() < pageSize;
                    more = true;
                    break;
                }
                bytes += size;
                Chunk chunk = new Chunk(document.getString("_id").getValue(), EventOrder.timeOf(document),
                        document.getDateTime("receivedAt").getValue(), string(document.get("events")));
                if (uuid == null) {
                    uuid = string(document.get("uuid"));
                }
                chunks.add(chunk);
                last = new ChunkPosition(chunk.time(), chunk.receivedAt(), chunk.id());
            }
        }
        if (chunks.isEmpty() && position == null) {
            throw new ApiException(HttpStatus.NOT_FOUND,
                    "recordScreenId: no recording \"" + recordScreenId + "\" in project \"" + apikey + "\"");
        }
        return new Recording(recordScreenId, uuid, chunks, more ? PageCursors.encode(last) : null, budgetReached);
    }

    /**
     * The condition this endpoint adds for {@code after}: the chunks that follow the position the
     * cursor (an answer's {@code next}) names.
     *
     * @throws ApiException when the cursor is not one the API issued
     */
    public static Bson after(String cursor) {
        return after(PageCursors.decodeChunks("after", cursor));
    }

    /** The cursor an answer gives after {@code chunk}, a stored chunk. */
    public static String cursorAfter(org.bson.BsonDocument chunk) {
        return PageCursors.encode(new ChunkPosition(EventOrder.timeOf(chunk), chunk.getDateTime("receivedAt").getValue(),
                chunk.getString("_id").getValue()));
    }

    /** The chunks after a position in {@link #RECORDED_ORDER}; the time bound leads, so the index is scanned from the position on. */
    static Bson after(ChunkPosition position) {
        Date receivedAt = new Date(position.receivedAt());
        return Filters.and(Filters.gte("time", position.time()), Filters.or(Filters.gt("time", position.time()),
                Filters.gt("receivedAt", receivedAt),
                Filters.and(Filters.eq("receivedAt", receivedAt), Filters.gt("_id", position.id()))));
    }

    private static String string(BsonValue value) {
        return value != null && value.isString() ? value.asString().getValue() : null;
    }
}
