package dev.trackpipeline.model.event;

import java.util.OptionalDouble;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Reads a numeric field the way the pipeline accepts it: a JSON number, or a string holding one
 * (some SDK builds send numbers as strings). Only finite values count.
 */
public final class EventNumbers {

    private EventNumbers() {
    }

    public static OptionalDouble of(JsonNode value) {
        if (value == null) {
            return OptionalDouble.empty();
        }
        double number;
        if (value.isNumber()) {
            number = value.doubleValue();
        } else if (value.isString()) {
            try {
                number = Double.parseDouble(value.stringValue().trim());
            } catch (NumberFormatException e) {
                return OptionalDouble.empty();
            }
        } else {
            return OptionalDouble.empty();
        }
        return Double.isFinite(number) ? OptionalDouble.of(number) : OptionalDouble.empty();
    }

    /**
     * The number a string holding a finite one stands for, as the JSON reader would have read the
     * digits: a 32- or 64-bit integer when it is one, a double otherwise.
     */
    static JsonNode numberNode(String text) {
        String digits = text.trim();
        try {
            long integer = Long.parseLong(digits);
            return integer == (int) integer ? JsonNodeFactory.instance.numberNode((int) integer)
                    : JsonNodeFactory.instance.numberNode(integer);
        } catch (NumberFormatException notAnInteger) {
            return JsonNodeFactory.instance.numberNode(Double.parseDouble(digits));
        }
    }
}
