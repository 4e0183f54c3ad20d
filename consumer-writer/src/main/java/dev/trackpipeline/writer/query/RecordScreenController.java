package dev.trackpipeline.writer.query;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.runtime.ApiException;
import dev.trackpipeline.runtime.ApiResponse;
import dev.trackpipeline.runtime.ReadAuthorization;
import dev.trackpipeline.writer.store.EventRepository;
import java.util.ArrayList;
import java.util.List;
import org.bson.Document;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/record-screen/{recordScreenId}}: a whole session recording, its chunks in the
 * order they were recorded. Each chunk's {@code events} is as the SDK sent it:
 * base64(gzip(base64(JSON array of rrweb events))).
 */
@RestController
@Tag(name = "session replay", description = "The stored session-replay recordings")
public class RecordScreenController {

    private final EventRepository repository;
    private final EventFamilies families;
    private final ReadAuthorization authorization;

    public RecordScreenController(EventRepository repository, EventFamilies families, ReadAuthorization authorization) {
        this.repository = repository;
        this.families = families;
        this.authorization = authorization;
    }

    /** One stored chunk of a recording. */
    public record Chunk(String id, long time, long receivedAt, String events) {
    }

    /** A recording: its id, the page session it belongs to and its chunks in order. */
    public record Recording(String recordScreenId, String uuid, List<Chunk> chunks) {
    }

    @Operation(summary = "A recording's chunks in order", description = "events is the SDK's compressed rrweb payload, as sent.")
    @GetMapping("/api/record-screen/{recordScreenId}")
    public ApiResponse<Recording> recording(@PathVariable String recordScreenId, @RequestParam String apikey,
                                            @RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String authorizationHeader) {
        authorization.requireRead(apikey, authorizationHeader);
        var replays = repository.collection(families.forType("recordScreen").orElseThrow());
        List<Document> documents = replays.find(Filters.and(Filters.eq("apikey", apikey), Filters.eq("recordScreenId", recordScreenId)))
                .sort(Sorts.orderBy(Sorts.ascending("time"), Sorts.ascending("receivedAt"), Sorts.ascending("_id")))
                .into(new ArrayList<>());
        if (documents.isEmpty()) {
            throw new ApiException(HttpStatus.NOT_FOUND,
                    "recordScreenId: no recording \"" + recordScreenId + "\" in project \"" + apikey + "\"");
        }
        List<Chunk> chunks = documents.stream().map(document -> new Chunk(document.getString("_id"),
                ((Number) document.get("time")).longValue(), document.getDate("receivedAt").getTime(),
                document.getString("events"))).toList();
        return ApiResponse.ok(new Recording(recordScreenId, documents.get(0).getString("uuid"), chunks));
    }
}
