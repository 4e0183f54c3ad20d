package dev.trackpipeline.aggregator.metrics;

import java.util.Map;
import java.util.TreeMap;

/**
 * A log-scale histogram of one web vital: bucket {@code i} holds values in (γ^(i-1), γ^i], with
 * γ = 1.02, so any percentile read back is within 1 % of the true value; zero, and anything below
 * {@value #SMALLEST} (CLS, the one vital below 1, is rated at 0.1 and 0.25), has a bucket of its
 * own. That floor bounds a histogram to about 1,200 buckets whatever values clients send: without
 * it, every value down to 1e-300 had a bucket, and one event of 35,000 tiny durations added
 * 35,000 fields. Buckets of any window merge by adding counts, which is what makes a window's p75
 * exact up to that 1 %.
 */
public final class VitalsHistogram {

    static final double GAMMA = 1.02;
    static final String ZERO_BUCKET = "z";
    static final double SMALLEST = 1e-4;
    private static final double LOG_GAMMA = Math.log(GAMMA);

    private VitalsHistogram() {
    }

    /** The bucket a plausible (finite, non-negative) value falls in, as a Redis hash field. */
    public static String bucketOf(double value) {
        if (value < SMALLEST) {
            return ZERO_BUCKET;
        }
        return String.valueOf((long) Math.ceil(Math.log(value) / LOG_GAMMA - 1e-9));
    }

    /** The value a bucket stands for: the middle of its range, so the relative error is at most (γ-1)/(γ+1). */
    static double valueOf(String bucket) {
        if (bucket.equals(ZERO_BUCKET)) {
            return 0;
        }
        return 2 * Math.pow(GAMMA, Long.parseLong(bucket)) / (GAMMA + 1);
    }

    /**
     * The nearest-rank percentile of merged bucket counts.
     *
     * @param counts bucket field to count
     * @param p      0 < p <= 1
     * @return NaN when there are no values
     */
    public static double percentile(Map<String, Long> counts, double p) {
        TreeMap<Double, Long> byValue = new TreeMap<>();
        counts.forEach((bucket, count) -> byValue.merge(valueOf(bucket), count, Long::sum));
        long total = byValue.values().stream().mapToLong(Long::longValue).sum();
        if (total == 0) {
            return Double.NaN;
        }
        long rank = (long) Math.ceil(p * total);
        long seen = 0;
        for (Map.Entry<Double, Long> bucket : byValue.entrySet()) {
            seen += bucket.getValue();
            if (seen >= rank) {
                return bucket.getKey();
            }
        }
        return byValue.lastKey();
    }
}
