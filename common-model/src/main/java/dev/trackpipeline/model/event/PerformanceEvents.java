package dev.trackpipeline.model.event;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Web vitals and the SDK's other performance samples, told apart by {@code name}. Vitals carry a
 * numeric {@code value}; the others carry their own payload field.
 */
public final class PerformanceEvents implements EventFamily {

    /** The metrics whose {@code value} is a number, as the web-vitals library reports them. */
    public static final Set<String> VITALS = Set.of("FCP", "LCP", "TTFB", "FID", "INP", "CLS", "FSP");

    private static final List<String> RATINGS = List.of("good", "needs-improvement", "poor");

    @Override
    public String name() {
        return "performance";
    }

    @Override
    public List<String> types() {
        return List.of("performance");
    }

    /** Every metric the SDK reports: the vitals and its own samples. */
    public static final List<String> METRICS = List.of("FCP", "LCP", "TTFB", "FID", "INP", "CLS", "FSP",
            "longTask", "memory", "resourceList");

    /**
     * Browser timing entries ({@code resourceList} items, {@code longTask}) gain fields with every
     * browser version: unknown fields are kept and never a reason to refuse.
     */
    @Override
    public void check(EventCheck check) {
        check.requireString("name");
        Optional<String> metric = check.string("name");
        if (metric.isEmpty()) {
            return;
        }
        if (!METRICS.contains(metric.get())) {
            check.violate("name", "unknown performance metric \"" + metric.get() + "\", expected one of " + METRICS);
            return;
        }
        if (VITALS.contains(metric.get())) {
            check.requireNumber("value");
            check.optionalOneOf("rating", RATINGS);
        }
        switch (metric.get()) {
            case "resourceList" -> check.eachObjectIn("resourceList", entry -> {
                entry.optionalString("name");
                entry.optionalNumber("duration");
            });
            case "memory" -> check.inObject("memory", memory -> {
                memory.optionalNumber("usedJSHeapSize");
                memory.optionalNumber("totalJSHeapSize");
                memory.optionalNumber("jsHeapSizeLimit");
            });
            case "longTask" -> check.inObject("longTask", task -> task.optionalNumber("duration"));
            default -> { }
        }
    }
}
