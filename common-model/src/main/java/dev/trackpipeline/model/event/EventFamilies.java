package dev.trackpipeline.model.event;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The registry from the SDK's {@code type} to the family that owns it. */
public final class EventFamilies {

    private final List<EventFamily> families;
    private final Map<String, EventFamily> byType = new LinkedHashMap<>();

    public EventFamilies() {
        this(List.of(new JsErrorEvents(), new ResourceErrorEvents(), new HttpFailureEvents(),
                new PerformanceEvents(), new WhiteScreenEvents(), new ReplayChunkEvents(), new CustomEvents()));
    }

    EventFamilies(List<EventFamily> families) {
        this.families = List.copyOf(families);
        for (EventFamily family : families) {
            for (String type : family.types()) {
                if (byType.put(type, family) != null) {
                    throw new IllegalArgumentException("type " + type + " belongs to two families");
                }
            }
        }
    }

    public Optional<EventFamily> forType(String type) {
        return Optional.ofNullable(byType.get(type));
    }

    public List<EventFamily> all() {
        return families;
    }

    /** The families whose events are errors, in registry order. */
    public List<EventFamily> errorFamilies() {
        return families.stream().filter(EventFamily::reportsErrors).toList();
    }

    /** The types of the error families' events, in registry order. */
    public List<String> errorTypes() {
        return errorFamilies().stream().flatMap(family -> family.types().stream()).toList();
    }

    /** Every type the pipeline knows, in registry order. */
    public List<String> knownTypes() {
        return List.copyOf(byType.keySet());
    }
}
