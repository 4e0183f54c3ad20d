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
import dev.trackpipeline.runtime.HeldRead;
import dev.trackpipeline.runtime.ProjectCatalog;
import dev.trackpipeline.runtime.ReadAuthorization;
import dev.trackpipeline.writer.PlantedEvents;
import dev.trackpipeline.writer.WriterProperties;
import dev.trackpipeline.writer.store.EventRepository;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.util.unit.DataSize;

/**
 * One error by id and the error stats take a read slot like the lists: an error of the largest
 * accepted size made of tiny values costs about 14 MB once decoded, and the stats aggregate every
 * error of the window, so neither may be read by every Tomcat thread at once.
 */
class ErrorQueryControllerTest {

    static final EmbeddedMongoServer mongo = EmbeddedMongoServer.start(Optional.empty(), "127.0.0.1", FreePorts.one());
    static final MongoClient client = MongoClients.create(mongo.uri());
    static final ProjectCatalog projects = new ProjectCatalog(FixtureRecords.testProjectsFile(), Duration.ofMinutes(1));
    static final long T0 = 1795800000000L;

    final MongoDatabase database = client.getDatabase("errors-" + UUID.randomUUID().toString().substring(0, 8));
    final EventFamilies families = new EventFamilies();
    final WriterProperties properties = new WriterProperties("errors-test", Map.of(), Duration.ofSeconds(5), Duration.ofSeconds(60),
            new WriterProperties.Read(DataSize.ofMegabytes(4), 10_000, 4, 1, Duration.ofMillis(200), Duration.ofSeconds(10), 20_000));
    final ReadSlots oneSlot = new ReadSlots(properties);
    final ErrorQueryController controller = new ErrorQueryController(new EventRepository(database), families,
            new ReadAuthorization(projects), new EventPages(properties, oneSlot), oneSlot, properties);

    @AfterAll
    static void stop() {
        projects.close();
        client.close();
        mongo.close();
    }

    @Test
    void anErrorByIdAndTheStatsWaitForASlotAndAreAnsweredServiceUnavailableWhenNoneFreesUp() throws Exception {
        RawBsonDocument error = PlantedEvents.document(PlantedEvents.errorJson("error", "shop", T0, 1, 10), Instant.ofEpochMilli(T0));
        new EventRepository(database).collection(families.forType("error").orElseThrow()).withDocumentClass(RawBsonDocument.class)
                .insertOne(error);
        String id = error.getString("_id").getValue();

        try (HeldRead held = new HeldRead(ReadSlotsTest.held(oneSlot), "another-project")) {
            ApiException byId = catchThrowableOfType(() -> controller.one(id, "shop", "Bearer shop-read-token"), ApiException.class);
            ApiException stats = catchThrowableOfType(() -> controller.stats("shop", T0 - 1, T0 + 1, 20, "Bearer shop-read-token"),
                    ApiException.class);

            assertThat(byId).isNotNull();
            assertThat(byId.status()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
            assertThat(stats).isNotNull();
            assertThat(stats.status()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
            assertThat(held.release()).isEqualTo("held by another-project");
        }
        assertThat(controller.one(id, "shop", "Bearer shop-read-token").data()).containsEntry("id", id);
        assertThat(controller.stats("shop", T0 - 1, T0 + 1, 20, "Bearer shop-read-token").data().total()).isEqualTo(1);
    }

    @Test
    void anErrorIsFoundByItsIdOnlyInItsOwnProject() {
        RawBsonDocument error = PlantedEvents.document(PlantedEvents.errorJson("xhr", "shop", T0, 2, 10), Instant.ofEpochMilli(T0));
        new EventRepository(database).collection(families.forType("xhr").orElseThrow()).withDocumentClass(RawBsonDocument.class)
                .insertOne(error);
        String id = error.getString("_id").getValue();

        assertThat(controller.one(id, "shop", "Bearer shop-read-token").data()).containsEntry("id", id).containsEntry("type", "xhr");
        ApiException otherProject = catchThrowableOfType(() -> controller.one(id, "demo-project", "Bearer demo-read-token"), ApiException.class);
        assertThat(otherProject.status()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(otherProject.getMessage()).isEqualTo("id: no error \"" + id + "\" in project \"demo-project\"");
    }

    @Test
    void theStatsCountAtMostTheNewestErrorsOfEachFamilyAndSaySoEvenWhenTheClientGaveThemAllOneTime() {
        WriterProperties fiveAFamily = new WriterProperties("stats-test", Map.of(), Duration.ofSeconds(5), Duration.ofSeconds(60),
                new WriterProperties.Read(DataSize.ofMegabytes(4), 10_000, 4, 1, Duration.ofMillis(200), Duration.ofSeconds(10), 5));
        ReadSlots slots = new ReadSlots(fiveAFamily);
        ErrorQueryController counting = new ErrorQueryController(new EventRepository(database), families, new ReadAuthorization(projects),
                new EventPages(fiveAFamily, slots), slots, fiveAFamily);
        EventRepository repository = new EventRepository(database);
        for (int i = 0; i < 8; i++) {
            repository.collection(families.forType("error").orElseThrow()).withDocumentClass(RawBsonDocument.class)
                    .insertOne(PlantedEvents.document(PlantedEvents.errorJson("error", "shop", T0, i, 10), Instant.ofEpochMilli(T0)));
        }
        for (int i = 0; i < 3; i++) {
            repository.collection(families.forType("resource").orElseThrow()).withDocumentClass(RawBsonDocument.class)
                    .insertOne(PlantedEvents.document(PlantedEvents.errorJson("resource", "shop", T0 + 1 + i, i, 10), Instant.ofEpochMilli(T0)));
        }

        ErrorQueryController.ErrorStats all = counting.stats("shop", null, null, 20, "Bearer shop-read-token").data();
        ErrorQueryController.ErrorStats later = counting.stats("shop", T0 + 1, T0 + 10, 20, "Bearer shop-read-token").data();

        assertThat(all.byType()).isEqualTo(Map.of("error", 5L, "resource", 3L));
        assertThat(all.total()).isEqualTo(8);
        assertThat(all.groups().stream().mapToLong(ErrorQueryController.ErrorStats.Group::count).sum()).isEqualTo(8);
        assertThat(all.newestOnly()).isTrue();
        assertThat(later.byType()).isEqualTo(Map.of("resource", 3L));
        assertThat(later.newestOnly()).isFalse();
    }
}
