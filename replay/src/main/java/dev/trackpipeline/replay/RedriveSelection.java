package dev.trackpipeline.replay;

import java.util.List;
import java.util.Set;

/** Which dead letters a redrive takes; an empty set selects all. */
record RedriveSelection(Set<String> groups, Set<String> outcomes, Set<String> sourceTopics, String reasonContains) {

    /**
     * Outcomes of letters the reader set aside ({@code EventRecordReader}): bytes that are no JSON, an
     * event the schema refuses, a record without the gateway's headers. No fix to a store changes
     * them, so they are redriven only when {@code --outcome} names them.
     */
    static final List<String> NEVER_STORABLE = List.of("invalid_json", "invalid_event", "missing_metadata");

    /** Whether the letter is one no redrive can store, and the selection did not ask for its outcome by name. */
    boolean leavesAsNeverStorable(DeadLetterRecord letter) {
        return NEVER_STORABLE.contains(letter.outcome()) && !outcomes.contains(letter.outcome());
    }

    boolean selects(DeadLetterRecord letter) {
        return (groups.isEmpty() || letter.group().map(groups::contains).orElse(false))
                && (outcomes.isEmpty() || outcomes.contains(letter.outcome()))
                && (sourceTopics.isEmpty() || letter.source().map(source -> sourceTopics.contains(source.topic())).orElse(false))
                && (reasonContains == null || letter.reason().contains(reasonContains));
    }
}
