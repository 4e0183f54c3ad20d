package dev.trackpipeline.model.event;

import java.util.List;
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

    @Override
    public void check(EventCheck check) {
        check.requireString("name");
        String metric = check.string("name").orElse("");
        if (VITALS.contains(metric)) {
            check.requireNumber("value");
            check.optionalOneOf("rating", RATINGS);
        }
        switch (metric) {
            case "resourceList" -> check.optionalArray("resourceList");
            case "memory" -> check.optionalObject("memory");
            case "longTask" -> check.optionalObject("longTask");
            default -> { }
        }
    }
}
