package dev.trackpipeline.model.ingest;

import dev.trackpipeline.model.Outcome;

/**
 * An event, or the whole body, that was refused.
 *
 * @param index  position of the event in the body; -1 when the body as a whole is refused
 * @param reason the field path and what is wrong with it
 * @param type   the event's type when it is a known one, else {@link #UNKNOWN_TYPE}; a bounded metric tag
 */
public record Rejection(int index, Outcome outcome, String reason, String type) {

    public static final int WHOLE_BODY = -1;
    public static final String UNKNOWN_TYPE = "unknown";

    public Rejection(int index, Outcome outcome, String reason) {
        this(index, outcome, reason, UNKNOWN_TYPE);
    }
}
