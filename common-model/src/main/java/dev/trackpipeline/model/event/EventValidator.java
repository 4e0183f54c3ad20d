package dev.trackpipeline.model.event;

import dev.trackpipeline.model.Outcome;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * Decides whether one parsed JSON value is a web-see event the pipeline can take: the fields
 * every event carries, then the rules of its family. The gateway runs it before publishing and
 * the consumers run it again, since anyone with access to Kafka can write to a topic.
 */
public final class EventValidator {

    public static final int MAX_APIKEY_LENGTH = 128;

    /** What deviceInfo carries; all strings in the SDK (versions too, "Unknow" included). */
    private static final List<String> DEVICE_FIELDS = List.of("browser", "browserVersion", "os", "osVersion", "ua",
            "device", "device_type");

    private final EventFamilies families;

    public EventValidator(EventFamilies families) {
        this.families = families;
    }

    public Verdict validate(JsonNode event) {
        if (event == null || !event.isObject()) {
            return new Verdict.Invalid(Outcome.INVALID_EVENT,
                    "event: expected a JSON object, got " + (event == null ? "nothing" : EventCheck.describe(event)));
        }
        JsonNode type = event.get("type");
        if (type == null || type.isNull()) {
            return new Verdict.Invalid(Outcome.INVALID_EVENT, "type: is required");
        }
        if (!type.isString()) {
            return new Verdict.Invalid(Outcome.INVALID_EVENT, "type: expected a string, got " + EventCheck.describe(type));
        }
        var family = families.forType(type.stringValue());
        if (family.isEmpty()) {
            return new Verdict.Invalid(Outcome.UNKNOWN_TYPE,
                    "type: unknown type \"" + abbreviate(type.stringValue()) + "\", expected one of " + families.knownTypes());
        }
        EventCheck check = new EventCheck(event);
        check.requireString("apikey");
        check.requireEpochMillis("time");
        check.requireString("uuid");
        check.optionalString("status");
        check.optionalString("pageUrl");
        check.optionalString("sdkVersion");
        check.optionalStringOrNumber("userId");
        check.inObject("deviceInfo", device -> DEVICE_FIELDS.forEach(device::optionalString));
        check.eachObjectIn("breadcrumb", crumb -> {
            crumb.optionalString("type");
            crumb.optionalString("category");
            crumb.optionalString("status");
            crumb.optionalNumber("time");
        });
        family.get().check(check);
        check.string("apikey").filter(key -> key.length() > MAX_APIKEY_LENGTH)
                .ifPresent(key -> check.violate("apikey", "longer than " + MAX_APIKEY_LENGTH + " characters"));
        // No project may have one (Project), so the gateway refuses them anyway; said here too because the
        // consumers read what Kafka holds with this validator, and on Redis Cluster the aggregator's keys
        // hold the apikey as their hash tag ({apikey}), which a brace would cut short or empty.
        check.string("apikey").filter(key -> key.indexOf('{') >= 0 || key.indexOf('}') >= 0)
                .ifPresent(key -> check.violate("apikey", "may not contain '{' or '}'"));
        List<String> violations = check.violations();
        if (!violations.isEmpty()) {
            return new Verdict.Invalid(Outcome.INVALID_EVENT, violations, Optional.of(type.stringValue()));
        }
        return new Verdict.Valid(family.get(), type.stringValue(),
                event.get("apikey").stringValue(), event.get("uuid").stringValue());
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }

    /** The result of validating one event. */
    public sealed interface Verdict {

        /** A valid event and the fields routing needs. */
        record Valid(EventFamily family, String type, String apikey, String sessionId) implements Verdict { }

        /** Why the event was refused: each violation names the field path and what is wrong. */
        record Invalid(Outcome outcome, List<String> violations, Optional<String> knownType) implements Verdict {

            static final String WHOLE_EVENT = "event";

            Invalid(Outcome outcome, String violation) {
                this(outcome, List.of(violation), Optional.empty());
            }

            public String reason() {
                return String.join("; ", violations);
            }

            /** The reason with paths inside a batch: {@code events[3].value: ...}, {@code events[3]: ...}. */
            public String reasonAt(String elementPath) {
                return String.join("; ", violations.stream().map(violation -> violation.startsWith(WHOLE_EVENT + ": ")
                        ? elementPath + violation.substring(WHOLE_EVENT.length())
                        : elementPath + "." + violation).toList());
            }
        }
    }
}
