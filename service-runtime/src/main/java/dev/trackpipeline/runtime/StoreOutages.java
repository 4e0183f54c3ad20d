package dev.trackpipeline.runtime;

import java.util.function.Predicate;

/**
 * Tells an outage of a consumer's store from a failure about the records given to it. An outage
 * (the store unreachable, timing out, between primaries, full) is waited out however long it
 * lasts, committing nothing; anything else is narrowed down to the records that cause it, which
 * are dead-lettered so that their neighbours are stored. Each consumer declares its store's.
 */
public interface StoreOutages {

    /** Whether the failure is known to be an outage of the store rather than about what was written. */
    boolean isOutage(Throwable failure);

    /**
     * Whether the store answers at all (a ping). Asked before records that failed alone for no
     * known reason are dead-lettered: an outage that shows up as an unexpected kind of failure
     * must not send a whole batch to the dead-letter topic.
     */
    boolean answers();

    /** Whether the failure or any of its causes passes the test. */
    static boolean anyCause(Throwable failure, Predicate<Throwable> test) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (test.test(cause)) {
                return true;
            }
        }
        return false;
    }
}
