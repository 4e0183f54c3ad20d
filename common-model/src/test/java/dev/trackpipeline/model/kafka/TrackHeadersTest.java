package dev.trackpipeline.model.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.model.ingest.AcceptedEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TrackHeadersTest {

    @Test
    void anEventRecordCarriesItsIdReceiptTimeProjectTypeAndSchemaVersionInThatOrder() {
        AcceptedEvent event = new AcceptedEvent(0, "e-1", new EventFamilies().forType("error").orElseThrow(), "error", "demo-project", "s-1",
                "{}".getBytes(StandardCharsets.UTF_8));

        var headers = TrackHeaders.of(event, Instant.ofEpochMilli(1_795_700_000_123L));

        assertThat(headers).containsExactly(entry(TrackHeaders.EVENT_ID, "e-1"),
                entry(TrackHeaders.RECEIVED_AT, "1795700000123"),
                entry(TrackHeaders.APIKEY, "demo-project"),
                entry(TrackHeaders.TYPE, "error"),
                entry(TrackHeaders.SCHEMA_VERSION, "1"));
    }
}
