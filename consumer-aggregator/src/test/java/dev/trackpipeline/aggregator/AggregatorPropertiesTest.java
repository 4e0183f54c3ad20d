package dev.trackpipeline.aggregator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** The page caps as an operator sets them: the record has a second constructor, which Spring must not bind. */
class AggregatorPropertiesTest {

    @Test
    void keepsFiftyPagesApartPerMinuteBucketAndFiveHundredPerHourBucketByDefault() {
        AggregatorProperties properties = bind(Map.of());

        assertThat(properties.maxPagesPerMinuteBucket()).isEqualTo(50);
        assertThat(properties.maxPagesPerProject()).isEqualTo(500);
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
