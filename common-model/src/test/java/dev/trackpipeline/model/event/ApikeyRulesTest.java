package dev.trackpipeline.model.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.model.ingest.IngestBatch;
import dev.trackpipeline.model.ingest.IngestBatchReader;
import dev.trackpipeline.model.ingest.IngestLimits;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What an apikey may be, for the gateway and for the consumers reading what Kafka holds: the
 * aggregator's Redis keys hold it as their hash tag, so it has no braces, and it is bounded.
 */
class ApikeyRulesTest {

    final IngestBatchReader reader = new IngestBatchReader(new EventValidator(new EventFamilies()), IngestLimits.DEFAULTS);

    @ParameterizedTest
    @ValueSource(strings = {"}shop", "shop}", "{shop", "sh{o}p"})
    void anApikeyWithABraceIsRefusedSayingSo(String apikey) {
        IngestBatch batch = read(apikey);

        assertThat(batch.accepted()).isEmpty();
        assertThat(batch.rejected()).singleElement().satisfies(rejection ->
                assertThat(rejection.reason()).isEqualTo("apikey: may not contain '{' or '}'"));
    }

    @Test
    void anApikeyLongerThanTheBoundIsRefusedSayingSo() {
        IngestBatch batch = read("k".repeat(EventValidator.MAX_APIKEY_LENGTH + 1));

        assertThat(batch.rejected()).singleElement().satisfies(rejection ->
                assertThat(rejection.reason()).isEqualTo("apikey: longer than 128 characters"));
    }

    @Test
    void anOrdinaryApikeyIsAccepted() {
        assertThat(read("demo-project_2.x").accepted()).hasSize(1);
    }

    private IngestBatch read(String apikey) {
        String event = "{\"type\":\"custom\",\"apikey\":\"" + apikey + "\",\"uuid\":\"u\",\"time\":1795642106952}";
        return reader.read(event.getBytes(StandardCharsets.UTF_8));
    }
}
