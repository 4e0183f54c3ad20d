package dev.trackpipeline.aggregator.metrics;

import java.time.Duration;
import java.time.Instant;

/**
 * Where a project remembers the ids of the events it counted, so that a client's re-send within
 * the dedup window counts once, in memory that does not grow with the project's traffic.
 *
 * <p>The window is cut into {@link #SLICES} slices of the aggregator's clock; a ring of one slot
 * more than that holds the ids counted in the latest slices, each slot a set of at most
 * {@code idsPerSlice} compact ids ({@link DedupIds}). The script clears a slot when a new slice
 * takes it over, so an id stays remembered for the window (and at most one slice more) and the
 * ring never holds more than {@link #slots()} × {@code idsPerSlice} ids, however far behind the
 * aggregator runs. The ids counted in a slice beyond its cap are not remembered: their re-sends
 * count again. Kafka's redeliveries and replays do not depend on any of this; the progress
 * marker recognises them.
 */
public record DedupRing(Duration window, int idsPerSlice) {

    public static final int SLICES = 12;

    public DedupRing {
        if (window.toMillis() < SLICES) {
            throw new IllegalArgumentException("dedup window too short to slice: " + window);
        }
        if (idsPerSlice < 1) {
            throw new IllegalArgumentException("dedup ids per slice must be positive, got " + idsPerSlice);
        }
    }

    public int slots() {
        return SLICES + 1;
    }

    /**
     * Room for a project that may send {@code eventsPerSecond}: enough to remember every event of
     * a slice at that rate, and never less than {@link #idsPerSlice()}. The bound on the ring is
     * then the operator's rate limit, not anything a client sends.
     */
    public int roomFor(int eventsPerSecond) {
        long atThatRate = (long) eventsPerSecond * sliceMillis() / 1000;
        return (int) Math.min(Integer.MAX_VALUE, Math.max(idsPerSlice, atThatRate));
    }

    public long sliceOf(Instant time) {
        return time.toEpochMilli() / sliceMillis();
    }

    /** Long enough for a slot to outlive the window; the ring's own turning clears it sooner. */
    public long ttlSeconds() {
        return (window.toMillis() + sliceMillis() + 999) / 1000;
    }

    private long sliceMillis() {
        return window.toMillis() / SLICES;
    }
}
