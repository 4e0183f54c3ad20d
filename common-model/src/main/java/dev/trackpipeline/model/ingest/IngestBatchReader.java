package dev.trackpipeline.model.ingest;

import dev.trackpipeline.model.Outcome;
import dev.trackpipeline.model.event.EventValidator;
import dev.trackpipeline.model.event.EventValidator.Verdict;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns a request body (one event object or an array of them) into accepted events and
 * rejections. Each accepted event keeps its exact bytes, cut out of the body by the parser's
 * offsets, because the Kafka record must be the event exactly as the SDK sent it.
 *
 * <p>An event's tree can take fifty times its bytes ({@code [{},{},...]}), so each event is first
 * skipped over, counting its bytes and its values, and its tree is built only when both are within
 * the limits and its {@link TreeMemory} is granted.
 */
public final class IngestBatchReader {

    private final JsonMapper json;
    private final EventValidator validator;
    private final IngestLimits limits;

    public IngestBatchReader(EventValidator validator, IngestLimits limits) {
        this.json = EventJson.mapper(limits);
        this.validator = validator;
        this.limits = limits;
    }

    /** @param body the decompressed body, UTF-8 JSON */
    public IngestBatch read(byte[] body) {
        return read(body, TreeMemory.UNBOUNDED);
    }

    /**
     * @param body   the decompressed body, UTF-8 JSON
     * @param memory asked for each event's tree; when it refuses, the whole body is refused
     *               {@link Outcome#OVERLOADED}, to be sent again later
     */
    public IngestBatch read(byte[] body, TreeMemory memory) {
        List<AcceptedEvent> accepted = new ArrayList<>();
        List<Rejection> rejected = new ArrayList<>();
        try (JsonParser parser = json.createParser(body)) {
            JsonToken first = parser.nextToken();
            if (first == JsonToken.START_OBJECT) {
                if (!readEvent(parser, body, 0, false, memory, accepted, rejected)) {
                    return overloaded();
                }
            } else if (first == JsonToken.START_ARRAY) {
                int index = 0;
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    if (index == limits.maxEventsPerBody()) {
                        return IngestBatch.refusedWhole(new Rejection(Rejection.WHOLE_BODY, Outcome.BODY_TOO_LARGE,
                                "body: more than " + limits.maxEventsPerBody() + " events (maxEventsPerBody)"));
                    }
                    if (!readEvent(parser, body, index++, true, memory, accepted, rejected)) {
                        return overloaded();
                    }
                }
                if (index == 0) {
                    return IngestBatch.refusedWhole(new Rejection(Rejection.WHOLE_BODY, Outcome.INVALID_EVENT,
                            "body: the array holds no events"));
                }
            } else {
                return IngestBatch.refusedWhole(new Rejection(Rejection.WHOLE_BODY, Outcome.INVALID_JSON,
                        first == null ? "body: is empty"
                                : "body: expected a JSON object or an array of objects, got " + describe(first)));
            }
            if (parser.nextToken() != null) {
                return IngestBatch.refusedWhole(new Rejection(Rejection.WHOLE_BODY, Outcome.INVALID_JSON,
                        "body: unexpected content after the JSON value"));
            }
        } catch (JacksonException e) {
            return IngestBatch.refusedWhole(new Rejection(Rejection.WHOLE_BODY, Outcome.INVALID_JSON,
                    "body: malformed JSON: " + e.getOriginalMessage() + " at " + position(e)));
        }
        return new IngestBatch(accepted, rejected);
    }

    /**
     * @param inArray whether reasons need the element's path ({@code events[3].value}) to be found in the body
     * @return false when the event's tree could not have its memory
     */
    private boolean readEvent(JsonParser parser, byte[] body, int index, boolean inArray, TreeMemory memory,
                              List<AcceptedEvent> accepted, List<Rejection> rejected) {
        int start = (int) parser.currentTokenLocation().getByteOffset();
        long tokens = skipCountingTokens(parser);
        int end = (int) parser.currentLocation().getByteOffset();
        if (end - start > limits.maxEventBytes()) {
            rejected.add(new Rejection(index, Outcome.EVENT_TOO_LARGE,
                    at(index, inArray) + ": " + (end - start) + " bytes, more than the limit of " + limits.maxEventBytes() + " (maxEventBytes)"));
            return true;
        }
        if (tokens > limits.maxEventTokens()) {
            rejected.add(new Rejection(index, Outcome.EVENT_TOO_LARGE,
                    at(index, inArray) + ": " + tokens + " tokens, more than the limit of " + limits.maxEventTokens() + " (maxEventTokens)"));
            return true;
        }
        long treeBytes = TreeCost.of(end - start, tokens);
        if (!memory.tryTake(treeBytes)) {
            return false;
        }
        try {
            byte[] raw = Arrays.copyOfRange(body, start, end);
            JsonNode node = json.readTree(raw);
            Verdict verdict = validator.validate(node);
            if (verdict instanceof Verdict.Invalid invalid) {
                rejected.add(new Rejection(index, invalid.outcome(),
                        inArray ? invalid.reasonAt(at(index, true)) : invalid.reason(),
                        invalid.knownType().orElse(Rejection.UNKNOWN_TYPE)));
            } else if (verdict instanceof Verdict.Valid valid) {
                accepted.add(new AcceptedEvent(index, EventIds.of(node, valid.apikey(), valid.family(), raw), valid.family(), valid.type(),
                        valid.apikey(), valid.sessionId(), raw));
            }
            return true;
        } finally {
            memory.giveBack(treeBytes);
        }
    }

    private static String at(int index, boolean inArray) {
        return inArray ? "events[" + index + "]" : "event";
    }

    /**
     * Moves the parser past the value it is on without building anything, counting the values in
     * it (objects, arrays and scalars; property names go with their values).
     */
    private static long skipCountingTokens(JsonParser parser) {
        if (!parser.currentToken().isStructStart()) {
            parser.finishToken(); // a string is read lazily: its end is only known once it is
            return 1;
        }
        long tokens = 1;
        for (int depth = 1; depth > 0; ) {
            JsonToken token = parser.nextToken();
            if (token.isStructStart()) {
                depth++;
                tokens++;
            } else if (token.isStructEnd()) {
                depth--;
            } else if (token != JsonToken.PROPERTY_NAME) {
                tokens++;
            }
        }
        return tokens;
    }

    private static IngestBatch overloaded() {
        return IngestBatch.refusedWhole(new Rejection(Rejection.WHOLE_BODY, Outcome.OVERLOADED,
                "body: too much is being parsed at once to take its events now; nothing was accepted, retry later"));
    }

    private static String describe(JsonToken token) {
        return switch (token) {
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> token.name();
        };
    }

    private static String position(JacksonException e) {
        var location = e.getLocation();
        return location == null ? "unknown position"
                : "line " + location.getLineNr() + ", column " + location.getColumnNr();
    }
}
