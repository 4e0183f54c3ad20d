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
     * Whether the store takes a write now: one small write of its own (a probe), not a ping, since a
     * store can answer pings and refuse every write (rights revoked, a quota, read-only). Asked when
     * records failed alone for no known reason, before they are dead-lettered: if the store takes
     * the probe, the records are bad and go to the dead-letter topic with their reasons, however
     * many they are; if not, it is an outage and the batch waits for the store. The probe uses only
     * rights the consumer needs anyway, so a least-privilege user passes it. An implementation never
     * throws and logs why the probe failed: an ERROR naming the right when the store refused it for
     * want of one (it is also asked once at start-up, {@link WriteProbeAtStartup}, to say so early).
     */
    boolean takesWrites();

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
