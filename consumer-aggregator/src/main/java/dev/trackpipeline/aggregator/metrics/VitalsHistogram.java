package dev.trackpipeline.aggregator.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A log-scale histogram of one web vital: bucket {@code i} holds values in (γ^(i-1), γ^i], and a
 * percentile reads back as its bucket's middle, so within (γ-1)/(γ+1) of the true value. Zero,
 * and anything below a scale's floor, has a bucket of its own; anything above its ceiling counts
 * in the ceiling's bucket, so a percentile that falls there reads as about the ceiling, a lower
 * bound of the true value.
 *
 * <p>Floor and ceiling bound the buckets by construction, whatever clients send and whatever the
 * caller checks: without a floor every value down to 1e-300 had a bucket (one event of 35,000
 * tiny durations added 35,000 fields), and without a ceiling every value up to 1.8e308 would
 * have one. Buckets of any window merge by adding counts, which is what makes a window's
 * percentiles exact up to that error.
 *
 * <p>Two resolutions, because every field costs memory in every bucket that holds it:
 * {@link #FINE} for the few histograms a bucket has project-wide, the coarse {@link #forPage}
 * scales for the histograms in each page's hash, which a bucket has up to its page cap of.
 */
public final class VitalsHistogram {

    static final String ZERO_BUCKET = "z";

    /**
     * γ = 1.02, so within 0.99 %, from 1e-4 (CLS, the one vital below 1, is rated at 0.1 and
     * 0.25) to an hour (3,600,000 ms, the longest plausible duration): at most 1,230 buckets
     * (zero, and -465 to 763), and 700 for CLS, plausible up to 100 (zero, and -465 to 233). For a
     * bucket's project-wide vital histograms (6 × 1,230 + 700 = 8,080 fields at most for the 7
     * vitals) and its resource durations.
     */
    public static final VitalsHistogram FINE = new VitalsHistogram(1.02, 1e-4, 3_600_000);

    /**
     * A page's durations (every vital but CLS): γ = 1.25, so within (γ-1)/(γ+1) = 11.1 %, from 1 ms
     * to ten minutes (600,000 ms): at most 62 buckets (zero, and 0 to 60). Below a millisecond
     * reads as 0: browsers coarsen their timers to about that, and the thresholds are hundreds of
     * milliseconds. Above ten minutes every vital is long rated poor.
     */
    static final VitalsHistogram PAGE_DURATIONS = new VitalsHistogram(1.25, 1, 600_000);

    /** A page's CLS: γ = 1.25, from 1e-4 to 100, the largest plausible: at most 64 buckets (zero, and -41 to 21). */
    static final VitalsHistogram PAGE_CLS = new VitalsHistogram(1.25, 1e-4, 100);

    private final double gamma;
    private final double logGamma;
    private final double floor;
    private final double ceiling;

    private VitalsHistogram(double gamma, double floor, double ceiling) {
        this.gamma = gamma;
        this.logGamma = Math.log(gamma);
        this.floor = floor;
        this.ceiling = ceiling;
    }

    /**
     * The scale of one vital's histogram in a page's hash. Coarse, so that a page's hash stays
     * within {@link EventCounts#MAX_PAGE_FIELDS} fields however many distinct values it is sent: on
     * the fine scale it took up to 8,129 fields, about 575 KB.
     */
    public static VitalsHistogram forPage(String metric) {
        return metric.equals("CLS") ? PAGE_CLS : PAGE_DURATIONS;
    }

    /** The bucket a plausible (finite, non-negative) value falls in, as a Redis hash field. */
    public String bucketOf(double value) {
        if (value < floor || Double.isNaN(value)) {
            return ZERO_BUCKET;
        }
        return String.valueOf(indexOf(Math.min(value, ceiling)));
    }

    /**
     * How many distinct buckets the values from 0 to {@code largest} fall in: the most fields a
     * histogram of values in that range can have.
     */
    public int bucketsUpTo(double largest) {
        if (largest < floor) {
            return 1;
        }
        return (int) (1 + indexOf(Math.min(largest, ceiling)) - indexOf(floor) + 1);
    }

    /** Every bucket of the scale as {@link #bucketOf} names them: what a reader asks for to get a histogram, and nothing else. */
    public List<String> buckets() {
        List<String> buckets = new ArrayList<>();
        buckets.add(ZERO_BUCKET);
        for (long index = indexOf(floor); index <= indexOf(ceiling); index++) {
            buckets.add(String.valueOf(index));
        }
        return buckets;
    }

    /**
     * How many neighbouring buckets of a scale one coarse bucket ({@link #coarseOf}) adds up. A window
     * reads its fine histograms in two passes: the coarse buckets of every histogram (at most 64 per
     * duration on {@link #FINE}), to find the coarse bucket each percentile falls in, then only
     * those coarse buckets' fine ones (at most 3 × 20). That is at most 124 fields a histogram
     * instead of its 1,230, whatever anyone sends; 20 is about the square root of 1,230 ÷ 3, where
     * the two passes cost least together.
     */
    public static final int FINE_PER_COARSE = 20;

    /** The coarse bucket holding a bucket of this scale: zero's own, or {@link #FINE_PER_COARSE} neighbours. */
    public static String coarseOf(String bucket) {
        return bucket.equals(ZERO_BUCKET) ? ZERO_BUCKET : String.valueOf(Math.floorDiv(Long.parseLong(bucket), FINE_PER_COARSE));
    }

    /**
     * A bucket as this scale names it today: an earlier version had no floor (one before 1e-4 kept
     * values down to 1e-300 in buckets of their own, such as {@code -581}), which now reads as
     * zero; anything above the ceiling reads as the ceiling's bucket, as {@link #bucketOf} does.
     */
    public String onScale(String bucket) {
        if (bucket.equals(ZERO_BUCKET)) {
            return bucket;
        }
        long index = Long.parseLong(bucket);
        if (index < indexOf(floor)) {
            return ZERO_BUCKET;
        }
        return index > indexOf(ceiling) ? String.valueOf(indexOf(ceiling)) : bucket;
    }

    /** The buckets of this scale a coarse bucket ({@link #coarseOf}) adds up, smallest value first. */
    public List<String> bucketsIn(String coarse) {
        if (coarse.equals(ZERO_BUCKET)) {
            return List.of(ZERO_BUCKET);
        }
        long first = Math.max(indexOf(floor), Long.parseLong(coarse) * FINE_PER_COARSE);
        long last = Math.min(indexOf(ceiling), (Long.parseLong(coarse) + 1) * FINE_PER_COARSE - 1);
        List<String> buckets = new ArrayList<>();
        for (long index = first; index <= last; index++) {
            buckets.add(String.valueOf(index));
        }
        return buckets;
    }

    /** Every coarse bucket of the scale ({@link #coarseOf}), smallest value first. */
    public List<String> coarseBuckets() {
        return coarseBucketsUpTo(ceiling);
    }

    /** The coarse buckets ({@link #coarseOf}) the values from 0 to {@code largest} fall in, smallest value first. */
    public List<String> coarseBucketsUpTo(double largest) {
        String last = bucketOf(largest);
        List<String> buckets = buckets();
        return buckets.subList(0, buckets.indexOf(last) + 1).stream().map(VitalsHistogram::coarseOf).distinct().toList();
    }

    /** The most a percentile read back is off, relative to the true value, between the floor and the ceiling. */
    public double relativeError() {
        return (gamma - 1) / (gamma + 1);
    }

    /**
     * The nearest-rank percentile of merged bucket counts.
     *
     * @param counts bucket field to count, as {@link #bucketOf} of this scale names them
     * @param p      0 < p <= 1
     * @return NaN when there are no values
     */
    public double percentile(Map<String, Long> counts, double p) {
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

    /** The value a bucket stands for: the middle of its range, so the relative error is at most (γ-1)/(γ+1). */
    public double valueOf(String bucket) {
        if (bucket.equals(ZERO_BUCKET)) {
            return 0;
        }
        return 2 * Math.pow(gamma, Long.parseLong(bucket)) / (gamma + 1);
    }

    // The epsilon keeps a value that is an exact power of γ in its own bucket despite rounding.
    private long indexOf(double value) {
        return (long) Math.ceil(Math.log(value) / logGamma - 1e-9);
    }
}
