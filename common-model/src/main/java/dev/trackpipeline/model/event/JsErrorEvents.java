package dev.trackpipeline.model.event;

import java.util.List;

/** Uncaught JavaScript errors and unhandled promise rejections. */
public final class JsErrorEvents implements EventFamily {

    @Override
    public String name() {
        return "error";
    }

    @Override
    public List<String> types() {
        return List.of("error", "unhandledrejection");
    }

    @Override
    public boolean reportsErrors() {
        return true;
    }

    @Override
    public void check(EventCheck check) {
        check.requireString("message");
        check.optionalString("fileName");
        check.optionalInteger("line");
        check.optionalInteger("column");
        check.optionalString("recordScreenId");
    }
}
