package dev.trackpipeline.replay;

import java.util.Set;

/** Which dead letters a redrive takes; an empty set selects all. */
record RedriveSelection(Set<String> groups, Set<String> outcomes, Set<String> sourceTopics, String reasonContains) {

    boolean selects(DeadLetterRecord letter) {
        return (groups.isEmpty() || letter.group().map(groups::contains).orElse(false))
                && (outcomes.isEmpty() || outcomes.contains(letter.outcome()))
                && (sourceTopics.isEmpty() || letter.source().map(source -> sourceTopics.contains(source.topic())).orElse(false))
                && (reasonContains == null || letter.reason().contains(reasonContains));
    }
}
