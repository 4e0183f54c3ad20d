package dev.trackpipeline.model.event;

import java.util.List;

/**
 * What an application reports itself through the SDK's {@code log({message, error})}: a message,
 * and when an Error was passed, its top stack frame (file, function, line, column).
 */
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
        check.optionalString("fileName");
        check.optionalString("functionName");
        check.optionalInteger("line");
        check.optionalInteger("column");
    }
}
