package dev.trackpipeline.runtime;

import dev.trackpipeline.model.Outcome;
import dev.trackpipeline.runtime.ConsumedBatch.Consumed;
import java.util.List;

/**
 * A consumer's store, as {@link ConsumedBatch} drives it: it takes a batch's events, keeps what it
 * can and names the events it refused. An outage of the store is thrown, not returned.
 */
@FunctionalInterface
public interface EventStore {

    /** @return the events the store did not take, each with the reason; empty when it took them all */
    List<Refusal> store(List<Consumed> events);

    /**
     * Whether a refused event may be offered to the store again: as its kind says, by default. A
     * store that recognises what it applied by offset (the aggregator's progress markers) would take
     * a later attempt at an event that failed alone for a redelivery and skip it; see
     * {@link #failingAloneIsFinal}.
     */
    default boolean offersAgain(Refusal refusal) {
        return refusal.kind().worthRetrying();
    }

    /** The store, with an event that failed alone dead-lettered at once instead of offered again. */
    static EventStore failingAloneIsFinal(EventStore store) {
        return new EventStore() {
            @Override
            public List<Refusal> store(List<Consumed> events) {
                return store.store(events);
            }

            @Override
            public boolean offersAgain(Refusal refusal) {
                return refusal.kind() != RefusalKind.FAILED_ALONE && store.offersAgain(refusal);
            }
        };
    }

    /** Why an event was not taken, and whether offering it again may help. */
    enum RefusalKind {
        /** The store, while up, refused the event's write (a conflict that may clear). */
        REFUSED_BY_STORE(Outcome.REFUSED_BY_STORE, true),
        /** The event can never be written: it cannot be encoded, or it is larger than the store takes. */
        UNSTORABLE(Outcome.UNSTORABLE, false),
        /** Storing the event alone failed, for no known reason and with the store up. */
        FAILED_ALONE(Outcome.UNSTORABLE, true);

        private final Outcome outcome;
        private final boolean worthRetrying;

        RefusalKind(Outcome outcome, boolean worthRetrying) {
            this.outcome = outcome;
            this.worthRetrying = worthRetrying;
        }

        public Outcome outcome() {
            return outcome;
        }

        public boolean worthRetrying() {
            return worthRetrying;
        }
    }

    /** An event the store did not take. */
    record Refusal(Consumed event, RefusalKind kind, String reason) {

        public static Refusal byStore(Consumed event, String reason) {
            return new Refusal(event, RefusalKind.REFUSED_BY_STORE, reason);
        }

        public static Refusal unstorable(Consumed event, String reason) {
            return new Refusal(event, RefusalKind.UNSTORABLE, reason);
        }
    }
}
