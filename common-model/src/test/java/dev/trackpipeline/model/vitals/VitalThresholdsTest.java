package dev.trackpipeline.model.vitals;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.model.vitals.VitalThresholds.Rating;
import org.junit.jupiter.api.Test;

class VitalThresholdsTest {

    @Test
    void ratesAtTheWebVitalsBoundaries() {
        var lcp = VitalThresholds.of("LCP").orElseThrow();
        var cls = VitalThresholds.of("CLS").orElseThrow();

        assertThat(lcp.rate(2500)).isEqualTo(Rating.GOOD);
        assertThat(lcp.rate(2500.1)).isEqualTo(Rating.NEEDS_IMPROVEMENT);
        assertThat(lcp.rate(4000)).isEqualTo(Rating.NEEDS_IMPROVEMENT);
        assertThat(lcp.rate(4000.1)).isEqualTo(Rating.POOR);
        assertThat(cls.rate(0.021708984375)).isEqualTo(Rating.GOOD);
        assertThat(cls.rate(0.3).label()).isEqualTo("poor");
    }

    @Test
    void tellsMeasurementErrorsFromPlausibleValues() {
        var fsp = VitalThresholds.of("FSP").orElseThrow();
        var cls = VitalThresholds.of("CLS").orElseThrow();

        assertThat(fsp.isPlausible(-1795642130955.0)).isFalse();
        assertThat(fsp.isPlausible(497)).isTrue();
        assertThat(fsp.isPlausible(3_600_001)).isFalse();
        assertThat(cls.isPlausible(0)).isTrue();
        assertThat(cls.isPlausible(Double.NaN)).isFalse();
    }

    @Test
    void knowsEveryVitalTheSdkReportsAndNothingElse() {
        for (String metric : new String[] {"FCP", "LCP", "TTFB", "FID", "INP", "CLS", "FSP"}) {
            assertThat(VitalThresholds.of(metric)).as(metric).isPresent();
        }
        assertThat(VitalThresholds.of("memory")).isEmpty();
    }
}
