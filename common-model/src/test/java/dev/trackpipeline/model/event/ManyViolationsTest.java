package dev.trackpipeline.model.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.model.ingest.IngestBatch;
import dev.trackpipeline.model.ingest.IngestBatchReader;
import dev.trackpipeline.model.ingest.IngestLimits;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * An event can be wrong in ninety thousand places (a breadcrumb of numbers); its reason names
 * the first twenty and counts the rest, so no answer or dead letter grows with the attack.
 */
class ManyViolationsTest {

    static final String EVENT = "{\"type\":\"custom\",\"apikey\":\"x\",\"uuid\":\"u\",\"time\":1795642106952,\"breadcrumb\":["
            + "1,".repeat(89_999) + "1]}";

    @Test
    void namesTheFirstTwentyViolationsAndCountsTheRest() {
        IngestBatch batch = new IngestBatchReader(new EventValidator(new EventFamilies()), IngestLimits.DEFAULTS)
                .read(("[" + EVENT + "," + EVENT + "]").getBytes(StandardCharsets.UTF_8));

        assertThat(batch.rejected()).hasSize(2).allSatisfy(rejection -> {
            assertThat(rejection.reason()).startsWith("events[" + rejection.index() + "].breadcrumb[0]: expected an object, got an integer; ")
                    .contains("events[" + rejection.index() + "].breadcrumb[19]: expected an object, got an integer; ")
                    .doesNotContain("breadcrumb[20]")
                    .endsWith("events[" + rejection.index() + "]: and 89980 more violations");
            assertThat(rejection.reason().length()).isLessThan(2_000);
        });
    }
}
