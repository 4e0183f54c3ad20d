package dev.trackpipeline.model.kafka;

import dev.trackpipeline.model.ingest.AcceptedEvent;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Kafka header names. The record value stays the SDK's event untouched; everything the gateway
 * knows about it travels here.
 */
public final class TrackHeaders {

    public static final String EVENT_ID = "track-event-id";
    /** The gateway's clock in epoch ms: the time all bucketing uses, since browser clocks skew. */
    public static final String RECEIVED_AT = "track-received-at";
    public static final String APIKEY = "track-apikey";
    public static final String TYPE = "track-type";
    public static final String SCHEMA_VERSION = "track-schema-version";
    /** A salted hash of the client address: enough to tell clients apart, not to find them. */
    public static final String CLIENT_HASH = "track-client-hash";
    /** On dead-letter records: the {@link dev.trackpipeline.model.Outcome} code. */
    public static final String DEAD_LETTER_OUTCOME = "track-dead-letter-outcome";
    /** On dead-letter records: the field path and what is wrong. */
    public static final String DEAD_LETTER_REASON = "track-dead-letter-reason";
    /** On dead-letter records: the consumer group that gave up on the record (the writer and the aggregator each may). */
    public static final String DEAD_LETTER_GROUP = "track-dead-letter-group";
    /** On dead-letter records: where the record was, as {@code topic:partition:offset}, to find it again while Kafka keeps it. */
    public static final String DEAD_LETTER_SOURCE = "track-dead-letter-source";
    /**
     * On a record put back on its event topic from the dead-letter topic ({@code bin/track replay
     * redrive}): the one consumer group that applies it, the group that gave up on it. Every other
     * group skips it, since it holds or counted the record already; the aggregator would otherwise
     * count it twice once its dedup window has passed.
     */
    public static final String REDRIVE_GROUP = "track-redrive-group";
    /** On a redriven record: the dead letter it came from, as {@code topic:partition:offset}. */
    public static final String REDRIVEN_FROM = "track-redriven-from";

    public static final String CURRENT_SCHEMA_VERSION = "1";

    private TrackHeaders() {
    }

    /**
     * The headers every event record carries, in the order the gateway writes them: what it knows
     * of the event ({@link #CLIENT_HASH} aside, which only the gateway can make).
     */
    public static Map<String, String> of(AcceptedEvent event, Instant receivedAt) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(EVENT_ID, event.eventId());
        headers.put(RECEIVED_AT, String.valueOf(receivedAt.toEpochMilli()));
        headers.put(APIKEY, event.apikey());
        headers.put(TYPE, event.type());
        headers.put(SCHEMA_VERSION, CURRENT_SCHEMA_VERSION);
        return headers;
    }
}
