package dev.trackpipeline.runtime;

import java.util.List;

/**
 * Where a consumer's given-up records go. {@link #publish} returns only once they are all held
 * there, and throws otherwise, so that a batch is never committed past a record that is neither
 * stored nor dead-lettered.
 */
@FunctionalInterface
public interface DeadLetters {

    void publish(List<DeadLetter> deadLetters);
}
