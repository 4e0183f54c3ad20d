package dev.trackpipeline.aggregator.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trackpipeline.aggregator.metrics.MetricKeys.Resolution;
import dev.trackpipeline.runtime.ApiException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricWindowTest {

    private static final Instant NOW = Instant.parse("2026-11-26T10:30:30Z");

    @Test
    void anHourIsTheSixtyMinuteBucketsEndingInTheCurrentOne() {
        List<Long> buckets = MetricWindow.parse("1h").buckets(NOW);

        assertThat(buckets).hasSize(60);
        assertThat(buckets.get(buckets.size() - 1)).isEqualTo(Resolution.MINUTE.bucketOf(NOW));
        assertThat(buckets).contains(Resolution.MINUTE.bucketOf(Instant.parse("2026-11-26T09:31:00Z")))
                .doesNotContain(Resolution.MINUTE.bucketOf(Instant.parse("2026-11-26T09:30:59.999Z")));
    }

    @Test
    void upToTwoDaysReadsMinuteBucketsAndLongerWindowsReadHourBuckets() {
        assertThat(MetricWindow.parse("48h").resolution()).isEqualTo(Resolution.MINUTE);
        assertThat(MetricWindow.parse("48h").buckets(NOW)).hasSize(2_880);
        MetricWindow threeDays = MetricWindow.parse("3d");

        assertThat(threeDays.resolution()).isEqualTo(Resolution.HOUR);
        assertThat(threeDays.buckets(NOW)).hasSize(72);
        assertThat(threeDays.buckets(NOW)).contains(Resolution.HOUR.bucketOf(Instant.parse("2026-11-23T11:00:00Z")))
                .doesNotContain(Resolution.HOUR.bucketOf(Instant.parse("2026-11-23T10:59:59.999Z")));
    }

    @Test
    void aWindowIsAWholeNumberOfItsBucketsAndAtLeastTheCurrentOne() {
        assertThat(MetricWindow.parse("50h").buckets(NOW)).hasSize(50);
        assertThat(MetricWindow.parse("1m").buckets(NOW)).containsExactly(Resolution.MINUTE.bucketOf(NOW));
    }

    @Test
    void refusesWindowsItCannotAnswer() {
        for (String text : List.of("0m", "31d", "1w", "-1h", "", "10000d")) {
            assertThatThrownBy(() -> MetricWindow.parse(text)).as(text).isInstanceOf(ApiException.class)
                    .hasMessageContaining("window: expected a duration such as 15m, 1h, 24h or 7d, at most 30d");
        }
    }
}
