package dev.trackpipeline.model.kafka;

import dev.trackpipeline.model.Outcome;
import dev.trackpipeline.model.event.EventValidator;
import dev.trackpipeline.model.event.EventValidator.Verdict;
import dev.trackpipeline.model.ingest.EventJson;
import dev.trackpipeline.model.ingest.IngestLimits;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a Kafka record back into an {@link EventRecord}, validating it again: a topic can be
 * written by more than the gateway (replays, tools, mistakes), and nothing unvalidated may
 * reach a store.
 */
public final class EventRecordReader {

    private final JsonMapper json;
    private final EventValidator validator;
    private final Set<String> unreadFields;
    private final IngestLimits limits;

    public EventRecordReader(EventValidator validator, IngestLimits limits) {
        this(validator, limits, Set.of());
    }

    /**
     * A reader for a consumer that never looks at some top-level string fields: their content is
     * skipped, not decoded, and the event's tree holds a placeholder in their place. It accepts and
     * refuses exactly what the plain reader does.
     */
    public EventRecordReader(EventValidator validator, IngestLimits limits, Set<String> unreadFields) {
        this.json = EventJson.mapper(limits);
        this.validator = validator;
        this.unreadFields = Set.copyOf(unreadFields);
        this.limits = limits;
    }

    /**
     * @param header the value of a header by name, UTF-8 decoded
     * @throws InvalidRecordException when the record cannot be stored
     */
    public EventRecord read(Function<String, Optional<String>> header, byte[] value) {
        String eventId = required(header, TrackHeaders.EVENT_ID);
        String receivedAtText = required(header, TrackHeaders.RECEIVED_AT);
        Instant receivedAt;
        try {
            receivedAt = Instant.ofEpochMilli(Long.parseLong(receivedAtText));
        } catch (NumberFormatException e) {
            throw new InvalidRecordException(Outcome.MISSING_METADATA,
                    "header " + TrackHeaders.RECEIVED_AT + ": expected epoch milliseconds, got \"" + receivedAtText + "\"");
        }
        if (value == null) {
            throw new InvalidRecordException(Outcome.INVALID_JSON, "value: is empty");
        }
        // The gateway's limit holds for every record, whoever wrote it: a larger tree could run a consumer out of heap.
        if (value.length > limits.maxEventBytes()) {
            throw new InvalidRecordException(Outcome.EVENT_TOO_LARGE, "value: " + value.length + " bytes, more than the limit of "
                    + limits.maxEventBytes() + " (maxEventBytes)");
        }
        JsonNode event;
        try {
            event = readTree(value);
        } catch (JacksonException e) {
            throw new InvalidRecordException(Outcome.INVALID_JSON, "value: malformed JSON: " + e.getOriginalMessage());
        }
        Verdict verdict = validator.validate(event);
        if (verdict instanceof Verdict.Invalid invalid) {
            throw new InvalidRecordException(invalid.outcome(), invalid.reason());
        }
        Verdict.Valid valid = (Verdict.Valid) verdict;
        header.apply(TrackHeaders.APIKEY).filter(apikey -> !apikey.equals(valid.apikey())).ifPresent(apikey -> {
            throw new InvalidRecordException(Outcome.INVALID_EVENT,
                    "header " + TrackHeaders.APIKEY + ": \"" + apikey + "\" differs from the event's apikey");
        });
        return new EventRecord(eventId, receivedAt, valid.apikey(), valid.type(), valid.family(), valid.sessionId(), event);
    }

    private JsonNode readTree(byte[] value) {
        try (JsonParser parser = new UnreadStringsParser(json.createParser(value), value, unreadFields)) {
            return json.readTree(parser);
        }
    }

    public static Optional<String> utf8(byte[] headerValue) {
        return Optional.ofNullable(headerValue).map(bytes -> new String(bytes, StandardCharsets.UTF_8));
    }

    private static String required(Function<String, Optional<String>> header, String name) {
        return header.apply(name).filter(text -> !text.isBlank()).orElseThrow(() ->
                new InvalidRecordException(Outcome.MISSING_METADATA, "header " + name + ": is missing"));
    }
}
