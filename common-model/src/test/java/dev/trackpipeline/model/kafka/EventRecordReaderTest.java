package dev.trackpipeline.model.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trackpipeline.model.Outcome;
import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.model.event.EventValidator;
import dev.trackpipeline.model.fixtures.WebSeeFixtures;
import dev.trackpipeline.model.ingest.IngestLimits;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EventRecordReaderTest {

    private final EventRecordReader reader = new EventRecordReader(new EventValidator(new EventFamilies()), IngestLimits.DEFAULTS);
    private final byte[] errorEvent = WebSeeFixtures.load().first("error").bodyBytes();
    private final Map<String, String> headers = new HashMap<>(Map.of(
            TrackHeaders.EVENT_ID, "0123456789abcdef0123456789abcdef",
            TrackHeaders.RECEIVED_AT, "1795642107000",
            TrackHeaders.APIKEY, "demo-project",
            TrackHeaders.TYPE, "error"));

    @Test
    void readsTheGatewaysMetadataBesideTheEvent() {
        EventRecord record = read(errorEvent);

        assertThat(record.eventId()).isEqualTo("0123456789abcdef0123456789abcdef");
        assertThat(record.receivedAt()).isEqualTo(Instant.ofEpochMilli(1795642107000L));
        assertThat(record.family().name()).isEqualTo("error");
        assertThat(record.sessionId()).isEqualTo("91d63f30-dd8a-416e-b64a-2b4f7a80e17a");
        assertThat(record.event().get("message").stringValue()).startsWith("Uncaught Error");
    }

    @Test
    void refusesARecordWithoutTheGatewaysMetadata() {
        headers.remove(TrackHeaders.EVENT_ID);

        assertThatThrownBy(() -> read(errorEvent)).isInstanceOfSatisfying(InvalidRecordException.class, e -> {
            assertThat(e.outcome()).isEqualTo(Outcome.MISSING_METADATA);
            assertThat(e.getMessage()).isEqualTo("header track-event-id: is missing");
        });
    }

    @Test
    void refusesAReceivedAtThatIsNotEpochMillis() {
        headers.put(TrackHeaders.RECEIVED_AT, "yesterday");

        assertThatThrownBy(() -> read(errorEvent)).hasMessage("header track-received-at: expected epoch milliseconds, got \"yesterday\"");
    }

    @Test
    void refusesAnEventWhoseApikeyDiffersFromItsHeader() {
        headers.put(TrackHeaders.APIKEY, "other-project");

        assertThatThrownBy(() -> read(errorEvent)).hasMessage("header track-apikey: \"other-project\" differs from the event's apikey");
    }

    @Test
    void refusesMalformedAndInvalidValues() {
        assertThatThrownBy(() -> read("{not json".getBytes())).isInstanceOfSatisfying(InvalidRecordException.class,
                e -> assertThat(e.outcome()).isEqualTo(Outcome.INVALID_JSON));
        assertThatThrownBy(() -> read("{\"type\":\"error\"}".getBytes())).isInstanceOfSatisfying(InvalidRecordException.class,
                e -> assertThat(e.outcome()).isEqualTo(Outcome.INVALID_EVENT));
    }

    @Test
    void refusesAValueWithAnythingButWhitespaceAfterTheEvent() {
        String event = new String(errorEvent, java.nio.charset.StandardCharsets.UTF_8);

        assertThatThrownBy(() -> read((event + " {}").getBytes())).isInstanceOfSatisfying(InvalidRecordException.class, e -> {
            assertThat(e.outcome()).isEqualTo(Outcome.INVALID_JSON);
            assertThat(e.getMessage()).startsWith("value: malformed JSON: Trailing token (`JsonToken.START_OBJECT`) found after value");
        });
        assertThat(read((event + " \n").getBytes()).eventId()).isEqualTo("0123456789abcdef0123456789abcdef");
    }

    /** Only a record written past the gateway can be larger; its tree could run the consumer out of heap. */
    @Test
    void refusesAValueLargerThanTheGatewayAcceptsBeforeReadingIt() {
        byte[] large = new byte[IngestLimits.DEFAULTS.maxEventBytes() + 1];
        java.util.Arrays.fill(large, (byte) '[');

        assertThatThrownBy(() -> read(large)).isInstanceOfSatisfying(InvalidRecordException.class, e -> {
            assertThat(e.outcome()).isEqualTo(Outcome.EVENT_TOO_LARGE);
            assertThat(e.getMessage()).isEqualTo("value: 1048577 bytes, more than the limit of 1048576 (maxEventBytes)");
        });
    }

    @Test
    void refusesAnEmptyValueAsNoEvent() {
        assertThatThrownBy(() -> read("  ".getBytes())).hasMessage("event: expected a JSON object, got nothing");
    }

    private EventRecord read(byte[] value) {
        return reader.read(name -> Optional.ofNullable(headers.get(name)), value);
    }
}
