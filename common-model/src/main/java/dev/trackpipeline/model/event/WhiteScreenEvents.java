package dev.trackpipeline.model.event;

import java.util.List;

/** The SDK's blank-page check: {@code status} "error" means the page stayed white. */
public final class WhiteScreenEvents implements EventFamily {

    @Override
    public String name() {
        return "white-screen";
    }

    @Override
    public List<String> types() {
        return List.of("whiteScreen");
    }

    @Override
    public void check(EventCheck check) {
        check.requireString("status");
    }
}
