package dev.trackpipeline.model.event;

import java.util.List;

/** What an application reports itself through the SDK's {@code log()}; free-form beyond the common fields. */
public final class CustomEvents implements EventFamily {

    @Override
    public String name() {
        return "custom";
    }

    @Override
    public List<String> types() {
        return List.of("custom");
    }

    @Override
    public void check(EventCheck check) {
        check.optionalString("message");
    }
}
