package dev.trackpipeline.runtime;

import java.util.Optional;

/**
 * Something a store must be for a service to keep its promises (topics as durable as asked, a
 * Redis that never evicts), which no amount of waiting mends: it must be changed by an operator.
 * {@link StartRequirementCheck} asks it before the service consumes or answers anything.
 */
public interface StartRequirement {

    /** What is checked, for the log: "the topics' durability". */
    String subject();

    /**
     * Why the service must not run, one or more sentences that say what to change; empty when it may.
     *
     * @throws Unanswered when the store did not answer: an outage, which the service rides out
     */
    Optional<String> unmet() throws Unanswered;

    /** The store did not answer in time, so nothing is known yet. */
    final class Unanswered extends Exception {

        public Unanswered(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
