package dev.trackpipeline.writer;

import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.model.event.EventValidator;
import dev.trackpipeline.model.fixtures.FixtureRecords;
import dev.trackpipeline.model.fixtures.FixtureRecords.FixtureRecord;
import dev.trackpipeline.model.fixtures.WebSeeFixtures.CapturedRequest;
import dev.trackpipeline.model.ingest.IngestLimits;
import dev.trackpipeline.model.kafka.EventRecord;
import dev.trackpipeline.model.kafka.EventRecordReader;
import dev.trackpipeline.writer.store.EventDocuments;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.bson.RawBsonDocument;

/**
 * Events anyone could send to a public apikey, as the gateway publishes them and as the writer
 * stores them: errors of each family with a padding field of the size asked for.
 */
public final class PlantedEvents {

    /** One planted type per error collection: error, resource and http. */
    public static final List<String> ERROR_TYPES = List.of("error", "resource", "xhr");

    private static final EventRecordReader READER = new EventRecordReader(new EventValidator(new EventFamilies()), IngestLimits.DEFAULTS);

    private PlantedEvents() {
    }

    /** An error event of {@code type} (error, unhandledrejection, resource, xhr or fetch), unique by {@code sequence}. */
    public static String errorJson(String type, String apikey, long time, int sequence, int paddingCharacters) {
        String own = switch (type) {
            case "error", "unhandledrejection" -> "\"message\":\"Uncaught Error: planted " + sequence
                    + "\",\"fileName\":\"http://shop.example/app.js\",\"line\":4,\"column\":38";
            case "resource" -> "\"message\":\"http://shop.example/planted-" + sequence + ".png\",\"name\":\"img\"";
            case "xhr", "fetch" -> "\"url\":\"/api/planted/" + sequence + "\",\"message\":\"/api/planted/" + sequence
                    + "; 404\",\"elapsedTime\":11,\"requestData\":{\"httpType\":\"" + type + "\",\"method\":\"GET\"},\"response\":{\"Status\":404}";
            default -> throw new IllegalArgumentException("not an error type: " + type);
        };
        return "{\"type\":\"" + type + "\",\"status\":\"error\",\"time\":" + time + "," + own + ",\"apikey\":\"" + apikey
                + "\",\"uuid\":\"planted-session\",\"pageUrl\":\"http://shop.example/\",\"sequence\":" + sequence
                + ",\"padding\":\"" + "A".repeat(paddingCharacters) + "\"}";
    }

    /** The Kafka record the gateway would publish for {@code json}. */
    public static FixtureRecord record(String json, Instant receivedAt) {
        return FixtureRecords.of(new CapturedRequest("POST", "/reportData", "application/json", null, json), receivedAt);
    }

    /** The document the writer would store for {@code json}. */
    public static RawBsonDocument document(String json, Instant receivedAt) {
        FixtureRecord record = record(json, receivedAt);
        EventRecord event = READER.read(name -> Optional.ofNullable(record.headers().get(name)), record.value());
        return ((EventDocuments.Encoded.Document) EventDocuments.encode(event)).bson();
    }
}
