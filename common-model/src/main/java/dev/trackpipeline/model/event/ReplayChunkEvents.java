package dev.trackpipeline.model.event;

import java.util.List;

/**
 * A session-replay chunk: {@code events} is base64(gzip(base64(rrweb JSON))). The largest events
 * the SDK sends (hundreds of KB), tied to errors by {@code recordScreenId}.
 */
public final class ReplayChunkEvents implements EventFamily {

    /** The field holding the recording itself. */
    public static final String PAYLOAD = "events";

    @Override
    public String name() {
        return "record-screen";
    }

    @Override
    public List<String> types() {
        return List.of("recordScreen");
    }

    @Override
    public void check(EventCheck check) {
        check.requireString("recordScreenId");
        check.requireString(PAYLOAD);
    }
}
