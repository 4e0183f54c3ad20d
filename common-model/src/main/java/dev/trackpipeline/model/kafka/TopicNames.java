package dev.trackpipeline.model.kafka;

import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.model.event.EventFamily;
import java.util.List;

/** Topic names: one per event family under a common prefix, plus the dead-letter topic and its redrive log. */
public record TopicNames(String prefix) {

    public static final String DEFAULT_PREFIX = "track.";

    public TopicNames {
        if (prefix == null || prefix.isBlank()) {
            throw new IllegalArgumentException("topic prefix must not be blank");
        }
    }

    public static TopicNames defaults() {
        return new TopicNames(DEFAULT_PREFIX);
    }

    public String forFamily(EventFamily family) {
        return prefix + family.name();
    }

    public String deadLetter() {
        return prefix + "dead-letter";
    }

    /**
     * What {@code replay redrive} has put back, one compacted record per consumer group and source
     * record, so that a letter is redriven once however often the command runs.
     */
    public String redriven() {
        return prefix + "dead-letter-redriven";
    }

    public List<String> eventTopics(EventFamilies families) {
        return families.all().stream().map(this::forFamily).toList();
    }
}
