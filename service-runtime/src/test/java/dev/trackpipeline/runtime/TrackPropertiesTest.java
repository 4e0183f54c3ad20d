package dev.trackpipeline.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trackpipeline.model.ingest.IngestLimits;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ClassPathResource;

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

    @Test
    void topicsDefaultToProductionsDurabilityUnlessTheEnvironmentLowersIt() throws Exception {
        assertThat(topicsFromTrackServiceYml(Map.of()).replicationFactor()).isEqualTo((short) 3);
        assertThat(topicsFromTrackServiceYml(Map.of()).minInsyncReplicas()).isEqualTo((short) 2);

        TrackProperties.Topics single = topicsFromTrackServiceYml(Map.of(
                "TRACK_TOPICS_REPLICATION_FACTOR", "1", "TRACK_TOPICS_MIN_INSYNC_REPLICAS", "1"));
        assertThat(single.replicationFactor()).isEqualTo((short) 1);
        assertThat(single.minInsyncReplicas()).isEqualTo((short) 1);
    }

    @Test
    void moreInSyncReplicasThanCopiesAreRefusedByName() {
        Binder binder = new Binder(new MapConfigurationPropertySource(Map.of(
                "track.topics.replication-factor", "1", "track.topics.min-insync-replicas", "2")));

        assertThatThrownBy(() -> binder.bind("track", TrackProperties.class)).rootCause()
                .hasMessage("track.topics.min-insync-replicas: must be between 1 and track.topics.replication-factor (1), got 2");
    }

    private static TrackProperties.Topics topicsFromTrackServiceYml(Map<String, Object> environment) throws Exception {
        StandardEnvironment spring = new StandardEnvironment();
        spring.getPropertySources().addFirst(new MapPropertySource("environment", environment));
        new YamlPropertySourceLoader().load("track-service", new ClassPathResource("track-service.yml"))
                .forEach(spring.getPropertySources()::addLast);
        return Binder.get(spring).bind("track", TrackProperties.class).get().topics();
    }
}
