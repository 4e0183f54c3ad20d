package dev.trackpipeline.aggregator.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.trackpipeline.model.event.PerformanceEvents;
import dev.trackpipeline.model.vitals.VitalThresholds;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VitalsHistogramTest {

    static final VitalsHistogram PAGE_LCP = VitalsHistogram.forPage("LCP");
    static final VitalsHistogram PAGE_CLS = VitalsHistogram.forPage("CLS");
    /** Above every scale's ceiling: more than an hour, then plain huge numbers. */
    static final List<Double> HUGE = List.of(3_600_001.0, 1e7, 1e12, 1e300, Double.MAX_VALUE);

    @Test
    void readsEveryPercentileOfTheFineScaleBackWithinOnePercentOfTheExactValue() {
        readsEveryPercentileBackWithin(VitalsHistogram.FINE, 0.01);
    }

    @Test
    void readsEveryPercentileOfAPagesScaleBackWithinElevenPercentOfTheExactValue() {
        readsEveryPercentileBackWithin(PAGE_LCP, 1 / 9.0);
    }

    @Test
    void keepsZeroInABucketOfItsOwn() {
        Map<String, Long> histogram = new HashMap<>();
        histogram.merge(VitalsHistogram.FINE.bucketOf(0), 3L, Long::sum);
        histogram.merge(VitalsHistogram.FINE.bucketOf(0.02), 1L, Long::sum);

        assertThat(VitalsHistogram.FINE.bucketOf(0)).isEqualTo("z");
        assertThat(PAGE_LCP.bucketOf(0)).isEqualTo("z");
        assertThat(VitalsHistogram.FINE.percentile(histogram, 0.75)).isZero();
        assertThat(VitalsHistogram.FINE.percentile(histogram, 1.0)).isCloseTo(0.02, within(0.0002));
    }

    /** One event of 35,000 distinct tiny durations used to add 35,000 fields to a bucket's histogram. */
    @Test
    void countsEverythingBelowTheFloorAsZero() {
        assertThat(VitalsHistogram.FINE.bucketOf(0.00009)).isEqualTo(VitalsHistogram.ZERO_BUCKET);
        assertThat(VitalsHistogram.FINE.bucketOf(1e-300)).isEqualTo(VitalsHistogram.ZERO_BUCKET);
        assertThat(VitalsHistogram.FINE.bucketOf(0.0001)).isNotEqualTo(VitalsHistogram.ZERO_BUCKET);
        assertThat(PAGE_CLS.bucketOf(0.00009)).isEqualTo(VitalsHistogram.ZERO_BUCKET);
        assertThat(PAGE_CLS.bucketOf(0.0001)).isNotEqualTo(VitalsHistogram.ZERO_BUCKET);
        // A page's durations: below a millisecond, which browsers' timers hardly resolve.
        assertThat(PAGE_LCP.bucketOf(0.9)).isEqualTo(VitalsHistogram.ZERO_BUCKET);
        assertThat(PAGE_LCP.bucketOf(1)).isNotEqualTo(VitalsHistogram.ZERO_BUCKET);
    }

    @Test
    void countsEverythingAboveAScalesCeilingInTheCeilingsBucketWhichReadsAsAboutTheCeiling() {
        for (double huge : HUGE) {
            assertThat(VitalsHistogram.FINE.bucketOf(huge)).as("%s", huge).isEqualTo(VitalsHistogram.FINE.bucketOf(3_600_000));
            assertThat(PAGE_LCP.bucketOf(huge)).as("%s", huge).isEqualTo(PAGE_LCP.bucketOf(600_000));
            assertThat(PAGE_CLS.bucketOf(huge)).as("%s", huge).isEqualTo(PAGE_CLS.bucketOf(100));
        }
        assertThat(PAGE_LCP.percentile(Map.of(PAGE_LCP.bucketOf(1e300), 1L), 0.75)).isCloseTo(600_000, within(600_000 / 9.0));
    }

    /** Whatever the caller lets through, a histogram has no more fields than its scale's buckets from floor to ceiling. */
    @Test
    void hasAtMost1230FineBucketsOr62ForAPagesDurationOr64ForAPagesClsWhateverValuesItIsSent() {
        assertThat(bucketsOfEveryValue(VitalsHistogram.FINE)).hasSize(VitalsHistogram.FINE.bucketsUpTo(Double.MAX_VALUE)).hasSize(1_230);
        assertThat(bucketsOfEveryValue(PAGE_LCP)).hasSize(PAGE_LCP.bucketsUpTo(Double.MAX_VALUE)).hasSize(62);
        assertThat(bucketsOfEveryValue(PAGE_CLS)).hasSize(PAGE_CLS.bucketsUpTo(Double.MAX_VALUE)).hasSize(64);
        // CLS is plausible up to 100, which bounds the project's CLS histogram.
        assertThat(VitalsHistogram.FINE.bucketsUpTo(100)).isEqualTo(700);
    }

    /** Per vital: its page scale's buckets, and 7 counts (invalid, 3 ratings, 3 of the SDK's). */
    @Test
    void boundsAPagesHashToTheFieldsEventCountsStatesBelowRedissDefaultListpackSize() {
        int fields = PerformanceEvents.VITALS.stream().mapToInt(metric -> VitalsHistogram.forPage(metric).bucketsUpTo(Double.MAX_VALUE) + 7).sum();

        assertThat(fields).isEqualTo(EventCounts.MAX_PAGE_FIELDS).isEqualTo(485).isLessThanOrEqualTo(512);
    }

    /**
     * Every fine bucket belongs to exactly one coarse bucket, whose fine buckets are
     * {@link VitalsHistogram#bucketsIn} it, so the coarse counts add up exactly what the fine ones do.
     */
    @Test
    void groupsEveryFineBucketInExactlyOneCoarseBucketOfAtMostTwentyNeighbours() {
        List<String> regrouped = VitalsHistogram.FINE.coarseBuckets().stream()
                .flatMap(coarse -> VitalsHistogram.FINE.bucketsIn(coarse).stream()).toList();

        assertThat(regrouped).isEqualTo(VitalsHistogram.FINE.buckets());
        VitalsHistogram.FINE.buckets().forEach(fine ->
                assertThat(VitalsHistogram.FINE.bucketsIn(VitalsHistogram.coarseOf(fine))).contains(fine).hasSizeLessThanOrEqualTo(20));
    }

    /** Per vital, the coarse buckets of the values it finds plausible; and those of resource durations, of the whole scale. */
    @Test
    void boundsTheCoarseHistogramsHashToTheFieldsMetricKeysStatesBelowRedissDefaultListpackSize() {
        int fields = PerformanceEvents.VITALS.stream()
                .mapToInt(metric -> VitalsHistogram.FINE.coarseBucketsUpTo(VitalThresholds.of(metric).orElseThrow().max()).size()).sum()
                + VitalsHistogram.FINE.coarseBuckets().size();

        assertThat(VitalsHistogram.FINE.coarseBuckets()).hasSize(64);
        assertThat(fields).isEqualTo(MetricKeys.COARSE_HISTOGRAM_FIELDS).isLessThanOrEqualTo(512);
    }

    /** What an earlier version wrote, from subnormal values to infinity, reads as today's scale has it: zero, or the ceiling. */
    @Test
    void readsABucketAnEarlierVersionWroteOutsideTodaysScaleAsTheScaleWouldCountItsValue() {
        assertThat(VitalsHistogram.FINE.onScale("-581")).isEqualTo("z").isEqualTo(VitalsHistogram.FINE.bucketOf(1e-5));
        assertThat(VitalsHistogram.FINE.onScale("-37594")).isEqualTo("z");
        assertThat(VitalsHistogram.FINE.onScale("-466")).isEqualTo("z");
        assertThat(VitalsHistogram.FINE.onScale("-465")).isEqualTo("-465");
        assertThat(VitalsHistogram.FINE.onScale("763")).isEqualTo("763");
        assertThat(VitalsHistogram.FINE.onScale("900")).isEqualTo("763").isEqualTo(VitalsHistogram.FINE.bucketOf(1.02e8));
        assertThat(VitalsHistogram.FINE.onScale(String.valueOf(Long.MAX_VALUE))).isEqualTo("763");
        assertThat(VitalsHistogram.FINE.onScale("z")).isEqualTo("z");
    }

    @Test
    void hasNoPercentileWithoutValues() {
        assertThat(VitalsHistogram.FINE.percentile(Map.of(), 0.75)).isNaN();
        assertThat(PAGE_LCP.percentile(Map.of(), 0.75)).isNaN();
    }

    private static void readsEveryPercentileBackWithin(VitalsHistogram scale, double relativeError) {
        Random random = new Random(20261125);
        double[] values = new double[10_000];
        Map<String, Long> histogram = new HashMap<>();
        for (int i = 0; i < values.length; i++) {
            values[i] = Math.exp(random.nextGaussian() * 1.5 + 6); // LCP-like: log-normal around 400 ms
            histogram.merge(scale.bucketOf(values[i]), 1L, Long::sum);
        }
        Arrays.sort(values);

        assertThat(scale.relativeError()).isLessThanOrEqualTo(relativeError);
        for (double p : new double[] {0.5, 0.75, 0.95, 0.99}) {
            double exact = values[(int) Math.ceil(p * values.length) - 1];
            assertThat(scale.percentile(histogram, p)).as("p" + p).isCloseTo(exact, within(exact * relativeError));
        }
    }

    /** The buckets of the tiny, of every whole millisecond to 100, of every value 0.1 % apart from 1e-4 to 1e7, and of the huge. */
    private static Set<String> bucketsOfEveryValue(VitalsHistogram scale) {
        Set<String> buckets = new HashSet<>();
        for (int millis = 0; millis <= 100; millis++) {
            buckets.add(scale.bucketOf(millis));
        }
        for (int exponent = 4; exponent <= 320; exponent++) {
            buckets.add(scale.bucketOf(Math.pow(10, -exponent)));
        }
        for (double value = 1e-4; value <= 1e7; value *= 1.001) {
            buckets.add(scale.bucketOf(value));
        }
        HUGE.forEach(huge -> buckets.add(scale.bucketOf(huge)));
        return buckets;
    }
}
