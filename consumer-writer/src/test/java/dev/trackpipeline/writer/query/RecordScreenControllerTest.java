package dev.trackpipeline.writer.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import dev.trackpipeline.infra.EmbeddedMongoServer;
import dev.trackpipeline.infra.FreePorts;
import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.model.fixtures.FixtureRecords;
import dev.trackpipeline.runtime.ApiException;
import dev.trackpipeline.runtime.ProjectCatalog;
import dev.trackpipeline.runtime.ReadAuthorization;
import dev.trackpipeline.writer.PlantedEvents;
import dev.trackpipeline.writer.WriterProperties;
import dev.trackpipeline.writer.store.EventRepository;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.util.unit.DataSize;

/** A recording is served a page of chunks at a time, in recorded order, within the byte budget. */
class RecordScreenControllerTest {

    static final EmbeddedMongoServer mongo = EmbeddedMongoServer.start(Optional.empty(), "127.0.0.1", FreePorts.one());
    static final MongoClient client = MongoClients.create(mongo.uri());
    static final ProjectCatalog projects = new ProjectCatalog(FixtureRecords.testProjectsFile(), Duration.ofMinutes(1));
    static final Instant RECEIVED_AT = Instant.parse("2026-11-20T10:00:00Z");
    static final long T0 = 1795800000000L;

    final MongoDatabase database = client.getDatabase("recordings-" + UUID.randomUUID().toString().substring(0, 8));

    @AfterAll
    static void stop() {
        projects.close();
        client.close();
        mongo.close();
    }

    @Test
    void aPageOfChunksStopsBeforeTheByteBudgetAndAChunkLargerThanTheBudgetIsServedAlone() {
        List<String> ids = new ArrayList<>();
        int[] sizes = {3_000, 3_000, 3_000, 20_000, 3_000};
        for (int i = 0; i < sizes.length; i++) {
            ids.add(chunk("budgeted", T0 + i * 10_000L, RECEIVED_AT, i, sizes[i]));
        }
        RecordScreenController controller = controller(DataSize.ofKilobytes(8));

        List<RecordScreenController.Recording> pages = readAll(controller, "budgeted", 20);

        assertThat(pages).extracting(page -> page.chunks().stream().map(RecordScreenController.Chunk::id).toList())
                .containsExactly(ids.subList(0, 2), ids.subList(2, 3), ids.subList(3, 4), ids.subList(4, 5));
        assertThat(pages).extracting(RecordScreenController.Recording::budgetReached).containsExactly(true, true, true, false);
        assertThat(pages.get(2).chunks().get(0).events()).hasSize(20_000);
    }

    @Test
    void chunksOfOneTimeAreInOrderOfReceiptThenOfIdAndTheCursorsReachEachOnce() {
        List<String> ids = new ArrayList<>();
        ids.add(chunk("ties", T0, RECEIVED_AT, 0, 10));
        ids.add(chunk("ties", T0, RECEIVED_AT.plusSeconds(1), 1, 10));
        String a = chunk("ties", T0, RECEIVED_AT.plusSeconds(2), 2, 10);
        String b = chunk("ties", T0, RECEIVED_AT.plusSeconds(2), 3, 10);
        ids.addAll(a.compareTo(b) < 0 ? List.of(a, b) : List.of(b, a));
        ids.add(chunk("ties", T0 + 1, RECEIVED_AT, 4, 10));

        List<RecordScreenController.Recording> pages = readAll(controller(DataSize.ofMegabytes(4)), "ties", 1);

        assertThat(pages.stream().flatMap(page -> page.chunks().stream()).map(RecordScreenController.Chunk::id).toList())
                .containsExactlyElementsOf(ids);
        assertThat(pages).hasSize(5);
        assertThat(pages.get(4).next()).isNull();
    }

    @Test
    void aRecordingWithoutChunksIsA404AndAPagePastItsLastChunkIsEmpty() {
        chunk("short", T0, RECEIVED_AT, 0, 10);
        RecordScreenController controller = controller(DataSize.ofMegabytes(4));
        String afterTheOnlyChunk = RecordScreenController.cursorAfter(
                database.getCollection("record-screen", RawBsonDocument.class).find().first());

        ApiException unknown = catchThrowableOfType(() -> controller.recording("unknown", "shop", 20, null, "Bearer shop-read-token"),
                ApiException.class);
        RecordScreenController.Recording pastTheEnd = controller.recording("short", "shop", 20, afterTheOnlyChunk, "Bearer shop-read-token")
                .data();

        assertThat(unknown.status()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(pastTheEnd.chunks()).isEmpty();
        assertThat(pastTheEnd.next()).isNull();
        assertThat(pastTheEnd.uuid()).isNull();
    }

    private List<RecordScreenController.Recording> readAll(RecordScreenController controller, String recordScreenId, int pageSize) {
        List<RecordScreenController.Recording> pages = new ArrayList<>();
        RecordScreenController.Recording page = controller.recording(recordScreenId, "shop", pageSize, null, "Bearer shop-read-token").data();
        pages.add(page);
        while (page.next() != null && pages.size() < 100) {
            page = controller.recording(recordScreenId, "shop", pageSize, page.next(), "Bearer shop-read-token").data();
            pages.add(page);
        }
        return pages;
    }

    /** Stores a chunk of the shop project's recording as the writer would, and gives its id. */
    private String chunk(String recordScreenId, long time, Instant receivedAt, int sequence, int eventsCharacters) {
        RawBsonDocument document = PlantedEvents.document("{\"type\":\"recordScreen\",\"recordScreenId\":\"" + recordScreenId
                + "\",\"time\":" + time + ",\"status\":\"ok\",\"events\":\"" + "H".repeat(eventsCharacters) + "\",\"sequence\":" + sequence
                + ",\"apikey\":\"shop\",\"uuid\":\"recorded-session\"}", receivedAt);
        database.getCollection("record-screen", RawBsonDocument.class).insertOne(document);
        return document.getString("_id").getValue();
    }

    private RecordScreenController controller(DataSize budget) {
        WriterProperties properties = new WriterProperties("recordings-test", Map.of(), Duration.ofSeconds(5), Duration.ofSeconds(60),
                new WriterProperties.Read(budget, 10_000, 4));
        return new RecordScreenController(new EventRepository(database), new EventFamilies(), new ReadAuthorization(projects),
                properties, new ReadSlots(properties));
    }
}
