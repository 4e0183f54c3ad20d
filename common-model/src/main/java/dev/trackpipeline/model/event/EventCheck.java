package dev.trackpipeline.model.event;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Checks the fields of one event, or of an object inside it, and collects every violation with
 * its field path ({@code requestData.method}, {@code breadcrumb[2]}) and what is wrong, so a
 * sender learns all its mistakes from one answer.
 *
 * <p>Lenient where the real SDK needs it (optional fields absent, unknown fields kept, numbers
 * sent as strings); strict about what would poison a store or a metric (wrong kinds, values that
 * are not finite numbers, timestamps outside any clock's range). A number sent as a string is
 * turned into a number in the event's tree, so what the consumers store and count is a number:
 * a string {@code time} would sort above every number and match no time window. The Kafka record
 * keeps the bytes as sent.
 */
public final class EventCheck {

    /** Epoch milliseconds beyond this (year 2286) are no clock's reading. */
    public static final long LATEST_EPOCH_MILLIS = 9_999_999_999_999L;

    private final JsonNode node;
    private final String path;
    /**
     * Violations kept per event: a hostile array of 100,000 wrong elements would otherwise make
     * reasons of hundreds of megabytes, in the gateway's answer and the consumers' dead letters.
     */
    static final int MAX_VIOLATIONS = 20;

    private final Found violations;

    EventCheck(JsonNode event) {
        this(event, "", new Found());
    }

    private EventCheck(JsonNode node, String path, Found violations) {
        this.node = node;
        this.path = path;
        this.violations = violations;
    }

    public void requireString(String field) {
        JsonNode value = node.get(field);
        if (absent(value)) {
            violate(field, "is required");
        } else if (!value.isString()) {
            violate(field, "expected a string, got " + describe(value));
        } else if (value.stringValue().isBlank()) {
            violate(field, "must not be empty");
        }
    }

    public void optionalString(String field) {
        expect(field, JsonNode::isString, "a string");
    }

    /** What the SDK's {@code getUserId()} may return: a string or a number. */
    public void optionalStringOrNumber(String field) {
        expect(field, value -> value.isString() || (value.isNumber() && Double.isFinite(value.doubleValue())), "a string or a number");
    }

    public void requireNumber(String field) {
        if (absent(node.get(field))) {
            violate(field, "is required");
        } else {
            optionalNumber(field);
        }
    }

    /** A finite number, or a string holding one (some SDK builds send numbers as strings). */
    public void optionalNumber(String field) {
        if (expect(field, EventCheck::isFiniteNumber, "a number")) {
            asNumber(field);
        }
    }

    public void optionalInteger(String field) {
        if (expect(field, value -> isFiniteNumber(value) && Math.rint(numberOf(value)) == numberOf(value), "an integer")) {
            asNumber(field);
        }
    }

    public void requireEpochMillis(String field) {
        JsonNode value = node.get(field);
        if (absent(value)) {
            violate(field, "is required");
        } else if (!isFiniteNumber(value) || numberOf(value) <= 0 || numberOf(value) > LATEST_EPOCH_MILLIS
                || Math.rint(numberOf(value)) != numberOf(value)) {
            violate(field, "expected a positive integer of epoch milliseconds, got " + describe(value));
        } else {
            asNumber(field);
        }
    }

    public void optionalOneOf(String field, List<String> allowed) {
        JsonNode value = node.get(field);
        if (!absent(value) && (!value.isString() || !allowed.contains(value.stringValue()))) {
            violate(field, "expected one of " + allowed + ", got " + describe(value));
        }
    }

    /** Checks an optional object field with its own rules; its violations carry its path. */
    public void inObject(String field, Consumer<EventCheck> rules) {
        JsonNode value = node.get(field);
        if (absent(value)) {
            return;
        }
        if (!value.isObject()) {
            violate(field, "expected an object, got " + describe(value));
            return;
        }
        rules.accept(new EventCheck(value, path + field + ".", violations));
    }

    /** Checks that an optional array holds only objects, each with the given rules. */
    public void eachObjectIn(String field, Consumer<EventCheck> rules) {
        JsonNode value = node.get(field);
        if (absent(value)) {
            return;
        }
        if (!value.isArray()) {
            violate(field, "expected an array, got " + describe(value));
            return;
        }
        for (int index = 0; index < value.size(); index++) {
            JsonNode element = value.get(index);
            String elementPath = field + "[" + index + "]";
            if (element.isObject()) {
                rules.accept(new EventCheck(element, path + elementPath + ".", violations));
            } else {
                violate(elementPath, "expected an object, got " + describe(element));
            }
        }
    }

    public Optional<String> string(String field) {
        JsonNode value = node.get(field);
        return value != null && value.isString() ? Optional.of(value.stringValue()) : Optional.empty();
    }

    /** The violations found: the first {@value #MAX_VIOLATIONS} of them, then how many more there were. */
    List<String> violations() {
        List<String> shown = new ArrayList<>(violations.first);
        if (violations.count > MAX_VIOLATIONS) {
            shown.add("event: and " + (violations.count - MAX_VIOLATIONS) + " more violations");
        }
        return List.copyOf(shown);
    }

    void violate(String field, String problem) {
        if (violations.count++ < MAX_VIOLATIONS) {
            violations.first.add(path + field + ": " + problem);
        }
    }

    /** What an event's checks found, shared by the checks of the objects inside it. */
    private static final class Found {
        final List<String> first = new ArrayList<>();
        int count;
    }

    /** @return whether the field holds a value of the kind expected */
    private boolean expect(String field, Predicate<JsonNode> kind, String expected) {
        JsonNode value = node.get(field);
        if (!absent(value) && !kind.test(value)) {
            violate(field, "expected " + expected + ", got " + describe(value));
            return false;
        }
        return !absent(value);
    }

    /** Replaces a valid number sent as a string by the number, in the event's tree. */
    private void asNumber(String field) {
        JsonNode value = node.get(field);
        if (value.isString() && node instanceof ObjectNode object) {
            object.set(field, EventNumbers.numberNode(value.stringValue()));
        }
    }

    private static boolean absent(JsonNode value) {
        return value == null || value.isNull();
    }

    private static boolean isFiniteNumber(JsonNode value) {
        return EventNumbers.of(value).isPresent();
    }

    private static double numberOf(JsonNode value) {
        return EventNumbers.of(value).orElseThrow();
    }

    /** A string is shown (abbreviated), so the sender sees the offending value; other values by kind. */
    static String describe(JsonNode value) {
        if (value.isString()) {
            String text = value.stringValue();
            return "\"" + (text.length() <= 40 ? text : text.substring(0, 40) + "...") + "\"";
        }
        if (value.isIntegralNumber()) return "an integer";
        if (value.isNumber()) return "a number";
        if (value.isBoolean()) return "a boolean";
        if (value.isArray()) return "an array";
        if (value.isObject()) return "an object";
        return "null";
    }
}
