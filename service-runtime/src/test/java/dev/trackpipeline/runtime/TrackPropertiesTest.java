package dev.trackpipeline.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.model.ingest.IngestLimits;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class TrackPropertiesTest {

    @Test
    void limitsSetInTheConfigurationOverrideTheirDefaultsAndTheOthersKeepThem() {
        Binder binder = new Binder(new MapConfigurationPropertySource(Map.of(
                "track.projects-file", "projects.yml",
                "track.limits.max-event-tokens", "5000",
                "track.limits.max-event-bytes", "65536")));

        IngestLimits limits = binder.bind("track", TrackProperties.class).get().limits().toIngestLimits();

        assertThat(limits.maxEventTokens()).isEqualTo(5_000);
        assertThat(limits.maxEventBytes()).isEqualTo(65_536);
        assertThat(limits.maxDecompressedBytes()).isEqualTo(IngestLimits.DEFAULTS.maxDecompressedBytes());
        assertThat(limits.maxNestingDepth()).isEqualTo(IngestLimits.DEFAULTS.maxNestingDepth());
    }
}
