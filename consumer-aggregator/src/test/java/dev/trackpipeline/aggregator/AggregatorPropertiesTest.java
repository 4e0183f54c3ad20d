package dev.trackpipeline.aggregator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** The page caps as an operator sets them: the record has a second constructor, which Spring must not bind. */
class AggregatorPropertiesTest {

    @Test
    void keepsFiftyPagesApartPerMinuteBucketAndTwoHundredPerHourBucketByDefault() {
        AggregatorProperties properties = bind(Map.of());

        assertThat(properties.maxPagesPerMinuteBucket()).isEqualTo(50);
        assertThat(properties.maxPagesPerProject()).isEqualTo(200);
    }

    /** The defaults behind the stated worst case (RedisMemoryBound): each just longer than the oldest bucket a window reads. */
    @Test
    void keepsBucketsJustLongerThanAnyWindowReadsThemAndFiftyGroupsPerMinuteBucketByDefault() {
        AggregatorProperties properties = bind(Map.of());

        assertThat(properties.minuteBucketRetention()).isEqualTo(Duration.ofMinutes(70));
        assertThat(properties.hourBucketRetention()).isEqualTo(Duration.ofHours(24));
        assertThat(properties.dayBucketRetention()).isEqualTo(Duration.ofDays(30));
        assertThat(properties.maxGroupsPerMinuteBucket()).isEqualTo(50);
        assertThat(properties.maxGroupsPerBucket()).isEqualTo(500);
    }

    /** A shorter retention would have windows miss counts without a word: the aggregator does not start. */
    @Test
    void refusesARetentionShorterThanTheOldestBucketAWindowReads() {
        assertThatThrownBy(() -> bind(Map.of("track.aggregator.hour-bucket-retention", "12h")))
                .hasRootCauseMessage("track.aggregator.hour-bucket-retention must be longer than PT23H: windows read hour buckets "
                        + "that old, got PT12H");
        assertThat(bind(Map.of("track.aggregator.minute-bucket-retention", "48h")).minuteBucketRetention()).isEqualTo(Duration.ofHours(48));
    }

    @Test
    void refusesReadSettingsThatWouldAllowNoReadOrAnUnboundedPool() {
        assertThatThrownBy(() -> new AggregatorProperties.Reads(0, Duration.ofSeconds(2), 100))
                .hasMessage("track.aggregator.reads.connections: must be 1 or more, got 0");
        assertThatThrownBy(() -> new AggregatorProperties.Reads(-1, Duration.ofSeconds(2), 100))
                .hasMessage("track.aggregator.reads.connections: must be 1 or more, got -1");
        assertThatThrownBy(() -> new AggregatorProperties.Reads(4, Duration.ofSeconds(2), 0))
                .hasMessage("track.aggregator.reads.slowest-page-candidates: must be 1 or more, got 0");
    }

    @Test
    void takesEachPageCapFromItsOwnProperty() {
        AggregatorProperties properties = bind(Map.of("track.aggregator.max-pages-per-minute-bucket", "20",
                "track.aggregator.max-pages-per-project", "300"));

        assertThat(properties.maxPagesPerMinuteBucket()).isEqualTo(20);
        assertThat(properties.maxPagesPerProject()).isEqualTo(300);
    }

    private static AggregatorProperties bind(Map<String, String> settings) {
        return new Binder(new MapConfigurationPropertySource(settings)).bindOrCreate("track.aggregator", AggregatorProperties.class);
    }
}
