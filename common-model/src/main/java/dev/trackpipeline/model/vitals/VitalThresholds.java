package dev.trackpipeline.model.vitals;

import java.util.Map;
import java.util.Optional;

/**
 * The web-vitals rating thresholds (web.dev): at or below {@code good} is good, above
 * {@code poor} is poor, in between needs improvement. FSP (the SDK's first screen paint) has
 * no published threshold and is rated like FCP. Each metric also has a physical range: values
 * outside it (negative durations, the SDK's FSP of about -1.8e12, an hour-long paint) are
 * measurement errors, counted as invalid and never put into a histogram.
 */
public final class VitalThresholds {

    /**
     * @param good upper bound of "good"
     * @param poor lower bound of "poor" (exclusive)
     * @param max  largest physically plausible value; the smallest is 0
     */
    public record Threshold(double good, double poor, double max) {

        public boolean isPlausible(double value) {
            return Double.isFinite(value) && value >= 0 && value <= max;
        }

        public Rating rate(double value) {
            if (value <= good) return Rating.GOOD;
            if (value <= poor) return Rating.NEEDS_IMPROVEMENT;
            return Rating.POOR;
        }
    }

    /** A rating, with the name web-vitals uses for it. */
    public enum Rating {
        GOOD("good"), NEEDS_IMPROVEMENT("needs-improvement"), POOR("poor");

        private final String label;

        Rating(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private static final double HOUR_MS = 3_600_000;

    private static final Map<String, Threshold> THRESHOLDS = Map.of(
            "LCP", new Threshold(2500, 4000, HOUR_MS),
            "INP", new Threshold(200, 500, HOUR_MS),
            "CLS", new Threshold(0.1, 0.25, 100),
            "FCP", new Threshold(1800, 3000, HOUR_MS),
            "FSP", new Threshold(1800, 3000, HOUR_MS),
            "TTFB", new Threshold(800, 1800, HOUR_MS),
            "FID", new Threshold(100, 300, HOUR_MS));

    private VitalThresholds() {
    }

    public static Optional<Threshold> of(String metric) {
        return Optional.ofNullable(THRESHOLDS.get(metric));
    }
}
