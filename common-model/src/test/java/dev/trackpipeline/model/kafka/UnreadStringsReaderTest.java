package dev.trackpipeline.model.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.model.event.EventValidator;
import dev.trackpipeline.model.event.ReplayChunkEvents;
import dev.trackpipeline.model.fixtures.WebSeeFixtures;
import dev.trackpipeline.model.fixtures.WebSeeFixtures.CapturedRequest;
import dev.trackpipeline.model.ingest.IngestLimits;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A consumer that skips the replay payload must accept and refuse exactly what a consumer
 * reading everything does, with the same reasons: otherwise counts and stored documents part.
 */
class UnreadStringsReaderTest {

    private static final String CHUNK_PAYLOAD = "\"events\":\"";

    private final EventValidator validator = new EventValidator(new EventFamilies());
    private final EventRecordReader reading = new EventRecordReader(validator, IngestLimits.DEFAULTS);
    private final EventRecordReader skipping = new EventRecordReader(validator, IngestLimits.DEFAULTS,
            Set.of(ReplayChunkEvents.PAYLOAD));
    private final WebSeeFixtures fixtures = WebSeeFixtures.load();
    private final Map<String, String> headers = Map.of(
            TrackHeaders.EVENT_ID, "0123456789abcdef0123456789abcdef",
            TrackHeaders.RECEIVED_AT, "1795642107000");

    @Test
    void readsEveryCapturedEventAsThePlainReaderDoesSaveTheSkippedPayload() {
        for (CapturedRequest request : fixtures.posts()) {
            byte[] value = request.bodyBytes();
            JsonNode read = reading.read(this::header, value).event();
            JsonNode skipped = skipping.read(this::header, value).event();

            if (request.type().equals("recordScreen")) {
                assertThat(skipped.get(ReplayChunkEvents.PAYLOAD).stringValue()).isEqualTo(UnreadStringsParser.UNREAD);
                ObjectNode withPayload = ((ObjectNode) skipped.deepCopy()).set(ReplayChunkEvents.PAYLOAD, read.get(ReplayChunkEvents.PAYLOAD));
                assertThat(withPayload).isEqualTo(read);
            } else {
                assertThat(skipped).isEqualTo(read);
            }
        }
    }

    @Test
    void skipsOnlyTheNamedTopLevelField() {
        String event = "{\"type\":\"custom\",\"apikey\":\"shop\",\"time\":1795642107000,\"uuid\":\"s-1\","
                + "\"name\":\"checkout\",\"events\":\"top level\",\"extra\":{\"events\":\"nested\"}}";

        JsonNode read = skipping.read(this::header, event.getBytes(StandardCharsets.UTF_8)).event();

        assertThat(read.get("events").stringValue()).isEqualTo(UnreadStringsParser.UNREAD);
        assertThat(read.get("extra").get("events").stringValue()).isEqualTo("nested");
        assertThat(read.get("name").stringValue()).isEqualTo("checkout");
    }

    @Test
    void comesToTheSameVerdictAsThePlainReaderOnEveryMalformedOrInvalidPayload() {
        String chunk = fixtures.first("recordScreen").body();
        List<String> payloads = List.of(
                "\"\"", "\"   \"", "\" \\t\"", "\"\\n\"", "\"\\u0020\"", "\"\\u0041BC\"", "\" leading space\"",
                "\"\u00e9t\u00e9\"", "\"\u3000\"", "\"\u2003x\"", "null", "42", "true", "{}", "[\"H4sI\"]",
                "\"H4sI unterminated", "\"H4sI\u0001control\"", "\"H4sI\\qbad-escape\"", "\"H4sI\\u12\"");
        List<String> values = new ArrayList<>();
        for (String payload : payloads) {
            values.add(replacePayload(chunk, payload));
        }
        values.add(chunk.replaceFirst("\"events\":\"[^\"]*\",?", ""));
        values.add(chunk + " {}");
        values.add(chunk + " trailing");
        values.add(chunk.substring(0, chunk.length() - 1));
        values.add("");
        values.add("   ");
        values.add("[" + chunk + "]");

        for (String value : values) {
            assertThat(verdict(skipping, value)).as(abbreviate(value)).isEqualTo(verdict(reading, value));
        }
    }

    private static String replacePayload(String chunk, String payload) {
        int start = chunk.indexOf(CHUNK_PAYLOAD);
        int end = chunk.indexOf('"', start + CHUNK_PAYLOAD.length());
        return chunk.substring(0, start) + "\"events\":" + payload + chunk.substring(end + 1);
    }

    private String verdict(EventRecordReader reader, String value) {
        try {
            return "accepted " + reader.read(this::header, value.getBytes(StandardCharsets.UTF_8)).type();
        } catch (InvalidRecordException e) {
            return e.outcome() + ": " + e.getMessage();
        }
    }

    private Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name));
    }

    private static String abbreviate(String value) {
        return value.length() < 200 ? value : value.substring(0, 100) + " ... " + value.substring(value.length() - 100);
    }
}
