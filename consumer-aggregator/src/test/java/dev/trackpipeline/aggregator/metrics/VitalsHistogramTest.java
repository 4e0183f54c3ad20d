package dev.trackpipeline.aggregator.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class VitalsHistogramTest {

    @Test
    void readsEveryPercentileBackWithinOnePercentOfTheExactValue() {
        Random random = new Random(20261125);
        double[] values = new double[10_000];
        Map<String, Long> histogram = new HashMap<>();
        for (int i = 0; i < values.length; i++) {
            values[i] = Math.exp(random.nextGaussian() * 1.5 + 6); // LCP-like: log-normal around 400 ms
            histogram.merge(VitalsHistogram.bucketOf(values[i]), 1L, Long::sum);
        }
        Arrays.sort(values);

        for (double p : new double[] {0.5, 0.75, 0.95, 0.99}) {
            double exact = values[(int) Math.ceil(p * values.length) - 1];
            assertThat(VitalsHistogram.percentile(histogram, p)).as("p" + p).isCloseTo(exact, within(exact * 0.01));
        }
    }

    @Test
    void keepsZeroInABucketOfItsOwn() {
        Map<String, Long> histogram = new HashMap<>();
        histogram.merge(VitalsHistogram.bucketOf(0), 3L, Long::sum);
        histogram.merge(VitalsHistogram.bucketOf(0.02), 1L, Long::sum);

        assertThat(VitalsHistogram.bucketOf(0)).isEqualTo("z");
        assertThat(VitalsHistogram.percentile(histogram, 0.75)).isZero();
        assertThat(VitalsHistogram.percentile(histogram, 1.0)).isCloseTo(0.02, within(0.0002));
    }

    /** One event of 35,000 distinct tiny durations used to add 35,000 fields to a bucket's histogram. */
    @Test
    void countsEverythingBelowOneTenThousandthAsZeroSoAHistogramHasAFewThousandBucketsAtMost() {
        java.util.Set<String> buckets = new java.util.HashSet<>();
        for (int exponent = 4; exponent <= 320; exponent++) {
            buckets.add(VitalsHistogram.bucketOf(Math.pow(10, -exponent)));
        }
        for (double value = 1e-4; value <= 3_600_000; value *= 1.001) {
            buckets.add(VitalsHistogram.bucketOf(value));
        }

        assertThat(VitalsHistogram.bucketOf(0.00009)).isEqualTo(VitalsHistogram.ZERO_BUCKET);
        assertThat(VitalsHistogram.bucketOf(0.0001)).isNotEqualTo(VitalsHistogram.ZERO_BUCKET);
        assertThat(buckets).hasSizeLessThan(1_300);
    }

    @Test
    void hasNoPercentileWithoutValues() {
        assertThat(VitalsHistogram.percentile(Map.of(), 0.75)).isNaN();
    }
}
