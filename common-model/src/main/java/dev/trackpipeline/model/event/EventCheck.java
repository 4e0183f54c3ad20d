package dev.trackpipeline.model.event;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * Checks the fields of one event and collects every violation, each naming the field path and
 * what is wrong with it, so a sender learns all its mistakes from one answer.
 */
public final class EventCheck {

    private final JsonNode event;
    private final List<String> violations = new ArrayList<>();

    EventCheck(JsonNode event) {
        this.event = event;
    }

    public JsonNode event() {
        return event;
    }

    public void requireString(String field) {
        JsonNode value = event.get(field);
        if (value == null || value.isNull()) {
            violations.add(field + ": is required");
        } else if (!value.isString()) {
            violations.add(field + ": expected a string, got " + kindOf(value));
        } else if (value.stringValue().isBlank()) {
            violations.add(field + ": must not be empty");
        }
    }

    public void optionalString(String field) {
        expectKind(field, JsonNode::isString, "a string");
    }

    public void requireNumber(String field) {
        if (isAbsent(field)) {
            violations.add(field + ": is required");
        } else {
            optionalNumber(field);
        }
    }

    public void optionalNumber(String field) {
        expectKind(field, JsonNode::isNumber, "a number");
    }

    public void optionalInteger(String field) {
        expectKind(field, JsonNode::isIntegralNumber, "an integer");
    }

    public void requireEpochMillis(String field) {
        JsonNode value = event.get(field);
        if (value == null || value.isNull()) {
            violations.add(field + ": is required");
        } else if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() <= 0) {
            violations.add(field + ": expected a positive integer of epoch milliseconds, got " + kindOf(value));
        }
    }

    public void optionalObject(String field) {
        expectKind(field, JsonNode::isObject, "an object");
    }

    public void optionalArray(String field) {
        expectKind(field, JsonNode::isArray, "an array");
    }

    public void optionalOneOf(String field, List<String> allowed) {
        JsonNode value = event.get(field);
        if (value != null && !value.isNull() && (!value.isString() || !allowed.contains(value.stringValue()))) {
            violations.add(field + ": expected one of " + allowed + ", got " + describe(value));
        }
    }

    public Optional<String> string(String field) {
        JsonNode value = event.get(field);
        return value != null && value.isString() ? Optional.of(value.stringValue()) : Optional.empty();
    }

    List<String> violations() {
        return List.copyOf(violations);
    }

    private boolean isAbsent(String field) {
        JsonNode value = event.get(field);
        return value == null || value.isNull();
    }

    private void expectKind(String field, java.util.function.Predicate<JsonNode> kind, String expected) {
        JsonNode value = event.get(field);
        if (value != null && !value.isNull() && !kind.test(value)) {
            violations.add(field + ": expected " + expected + ", got " + kindOf(value));
        }
    }

    private static String describe(JsonNode value) {
        return value.isString() ? "\"" + abbreviate(value.stringValue()) + "\"" : kindOf(value);
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }

    static String kindOf(JsonNode value) {
        if (value.isString()) return "a string";
        if (value.isIntegralNumber()) return "an integer";
        if (value.isNumber()) return "a number";
        if (value.isBoolean()) return "a boolean";
        if (value.isArray()) return "an array";
        if (value.isObject()) return "an object";
        return "null";
    }
}
