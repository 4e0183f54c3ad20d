package dev.trackpipeline.model.event;

import java.util.List;

/**
 * A group of web-see event types that share a schema, a Kafka topic and a MongoDB collection.
 * Each family lives in its own small class, so "what happens to a replay chunk" is one file.
 */
public interface EventFamily {

    /** Stable name; also the topic suffix ({@code track.<name>}) and the collection name. */
    String name();

    /** The SDK's {@code type} values that belong to this family. */
    List<String> types();

    /**
     * Whether every event of this family reports something that went wrong, to be grouped by
     * fingerprint and served by the errors API.
     */
    default boolean reportsErrors() {
        return false;
    }

    /** Adds this family's rules to the common ones every event must follow. */
    void check(EventCheck check);
}
