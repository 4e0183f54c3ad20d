package dev.trackpipeline.model.event;

import java.util.List;

/** A script, stylesheet or image that failed to load; {@code name} is the element's tag. */
public final class ResourceErrorEvents implements EventFamily {

    @Override
    public String name() {
        return "resource";
    }

    @Override
    public List<String> types() {
        return List.of("resource");
    }

    @Override
    public boolean reportsErrors() {
        return true;
    }

    @Override
    public void check(EventCheck check) {
        check.requireString("message");
        check.optionalString("name");
        check.optionalString("recordScreenId");
    }
}
