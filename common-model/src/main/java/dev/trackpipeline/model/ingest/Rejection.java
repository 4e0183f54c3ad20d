package dev.trackpipeline.model.ingest;

import dev.trackpipeline.model.Outcome;

/**
 * An event, or the whole body, that was refused.
 *
 * @param index  position of the event in the body; -1 when the body as a whole is refused
 * @param reason the field path and what is wrong with it
 */
public record Rejection(int index, Outcome outcome, String reason) {

    public static final int WHOLE_BODY = -1;
}
