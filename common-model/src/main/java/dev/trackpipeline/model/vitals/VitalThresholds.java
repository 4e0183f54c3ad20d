package dev.trackpipeline.model.vitals;

import java.util.Map;
import java.util.Optional;

/**
 * The web-vitals rating thresholds (web.dev): at or below {@code good} is good, above
 * {@code poor} is poor, in between needs improvement. FSP (the SDK's first screen paint) has
 * no published threshold and is rated like FCP.
 */
public final class VitalThresholds {

    /** @param good upper bound of "good"; @param poor lower bound of "poor" (exclusive) */
    public record Threshold(double good, double poor) {

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

    private static final Map<String, Threshold> THRESHOLDS = Map.of(
            "LCP", new Threshold(2500, 4000),
            "INP", new Threshold(200, 500),
            "CLS", new Threshold(0.1, 0.25),
            "FCP", new Threshold(1800, 3000),
            "FSP", new Threshold(1800, 3000),
            "TTFB", new Threshold(800, 1800),
            "FID", new Threshold(100, 300));

    private VitalThresholds() {
    }

    public static Optional<Threshold> of(String metric) {
        return Optional.ofNullable(THRESHOLDS.get(metric));
    }
}
