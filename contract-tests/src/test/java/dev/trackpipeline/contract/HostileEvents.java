package dev.trackpipeline.contract;

import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

import dev.trackpipeline.model.fixtures.WebSeeFixtures;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Events as an attacker with the public apikey would send them, as JSON text: each starts from
 * an event the real SDK sent (every type and performance metric is there), then some of its
 * fields are replaced by, and unknown fields added with, hostile values: numbers of up to 110
 * digits or far beyond a double's range, numbers as strings and strings that only look like
 * numbers, every JSON kind, nesting around the reader's depth limit and arrays of thousands of
 * tiny values, odd Unicode (lone surrogates, NUL, BOM, right-to-left marks), keys MongoDB reads
 * as operators or paths, the writer's own field names, empty and repeated keys. Written as text,
 * because a JSON library would normalise exactly what is being tried.
 */
final class HostileEvents {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final List<String> KEYS = List.of("_id", "$where", "$", "a.b", ".", "..", "", "receivedAt", "fingerprint",
            "errorTitle", "%", "%2E", "%00", "__proto__", "constructor", "a\\u0000b", "\\u0000", "\\ud800", "\\udc00x", "\\ufeff",
            "\\u202eevil", "键", "😀", "type", "apikey", "time", "uuid", "value", "name", "line", "column", "status", "events",
            "breadcrumb", "deviceInfo", "requestData", "response", "eventId", "recordScreenId", "pageUrl", "message", "memory",
            "longTask", "resourceList", "rating", "userId");
    private static final List<String> NUMBER_LIKE_STRINGS = List.of("1795642106952", " 1795642106952 ", "4", "38.0", "NaN",
            "Infinity", "-Infinity", "1e400", "0x10", "1_000", "1,5", "", " ", "\\u0000", "0x1p3", "12f", "1d", "+5", "-0",
            "1e-400", "99999999999999999999", "9223372036854775808");
    private static final List<String> ODD_STRINGS = List.of("\\ud800", "\\udc00", "a\\ud800b", "\\ud83d\\ude00", "\\u0000",
            "\\u0001\\u001f", "\\ufeff", "\\u202e", "键盘 错误", "<script>alert(1)</script>", "javascript:alert(1)", "$where",
            "a.b", "\\\\", "\\\"", "%00", "%2E", "{{7*7}}", "'; DROP TABLE events; --");
    private static final List<String> ODD_NUMBERS = List.of("0", "-0", "0.0", "1e400", "-1e400", "1e-400",
            "1.7976931348623157e308", "4.9e-324", "9223372036854775808", "-9223372036854775809", "1795642106952", "-1.8e12",
            "1E+2", "0.1e-7", "2147483648", "-2147483649");

    private HostileEvents() {
    }

    /** One event's JSON text. */
    static Gen<String> events() {
        List<String> templates = templates();
        Gen<Mutation> mutation = integers().between(0, 2).zip(integers().between(0, 40), key(), value(4), Mutation::new);
        return Generate.pick(templates).zip(lists().of(mutation).ofSizeBetween(0, 6), HostileEvents::render);
    }

    /** One change to a template: its n-th field replaced (0), removed (1), or a field added (2). */
    private record Mutation(int kind, int fieldIndex, String key, String value) {
    }

    private static String render(String template, List<Mutation> mutations) {
        List<String[]> fields = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : JSON.readTree(template).properties()) {
            fields.add(new String[] {JSON.writeValueAsString(field.getKey()), JSON.writeValueAsString(field.getValue())});
        }
        for (Mutation mutation : mutations) {
            int index = mutation.fieldIndex() % Math.max(1, fields.size());
            if (mutation.kind() == 0 && !fields.isEmpty()) {
                fields.get(index)[1] = mutation.value();
            } else if (mutation.kind() == 1 && !fields.isEmpty()) {
                fields.remove(index);
            } else {
                fields.add(new String[] {"\"" + mutation.key() + "\"", mutation.value()});
            }
        }
        StringBuilder json = new StringBuilder("{");
        for (int i = 0; i < fields.size(); i++) {
            json.append(i == 0 ? "" : ",").append(fields.get(i)[0]).append(':').append(fields.get(i)[1]);
        }
        return json.append('}').toString();
    }

    /** The smallest event of each type and performance metric the real SDK sent (recordings run to 364 KB). */
    private static List<String> templates() {
        Map<String, String> byKind = new LinkedHashMap<>();
        for (WebSeeFixtures.CapturedRequest request : WebSeeFixtures.load().posts()) {
            JsonNode event = request.event();
            String kind = event.get("type").stringValue() + (event.has("name") ? ":" + event.get("name").stringValue() : "");
            byKind.merge(kind, request.body(), (kept, other) -> kept.length() <= other.length() ? kept : other);
        }
        return List.copyOf(byKind.values());
    }

    static Gen<String> key() {
        return Generate.frequency(List.of(
                Pair.of(3, Generate.pick(KEYS)),
                Pair.of(1, strings().basicLatinAlphabet().ofLengthBetween(0, 12).map(HostileEvents::escape))));
    }

    /** A JSON value of any kind, nested at most {@code depth} more levels. */
    static Gen<String> value(int depth) {
        List<Pair<Integer, Gen<String>>> kinds = new ArrayList<>(List.of(
                Pair.of(4, number()),
                Pair.of(4, string()),
                Pair.of(1, Generate.pick(List.of("true", "false", "null"))),
                Pair.of(1, deepNesting())));
        if (depth > 0) {
            Gen<String> inner = value(depth - 1);
            kinds.add(Pair.of(2, lists().of(inner).ofSizeBetween(0, 6).map(values -> "[" + String.join(",", values) + "]")));
            kinds.add(Pair.of(2, lists().of(key().zip(inner, (key, value) -> "\"" + key + "\":" + value)).ofSizeBetween(0, 6)
                    .map(members -> "{" + String.join(",", members) + "}")));
            kinds.add(Pair.of(1, wideArray()));
        }
        return Generate.frequency(kinds);
    }

    static Gen<String> number() {
        Gen<String> digits = lists().of(integers().between(0, 9)).ofSizeBetween(1, 110)
                .map(list -> String.join("", list.stream().map(String::valueOf).toList()).replaceFirst("^0+(?=.)", ""));
        return Generate.oneOf(
                integers().all().map((Integer number) -> String.valueOf(number)),
                longs().all().map((Long number) -> String.valueOf(number)),
                digits,
                digits.map(text -> "-" + text),
                digits.zip(integers().between(-500, 500), (mantissa, exponent) -> mantissa + "e" + exponent),
                digits.zip(digits, (whole, fraction) -> "-" + whole + "." + fraction),
                Generate.pick(ODD_NUMBERS));
    }

    static Gen<String> string() {
        return Generate.frequency(List.of(
                Pair.of(3, Generate.pick(NUMBER_LIKE_STRINGS)),
                Pair.of(3, Generate.pick(ODD_STRINGS)),
                Pair.of(3, strings().allPossible().ofLengthBetween(0, 30).map(HostileEvents::escape)),
                Pair.of(1, integers().between(1, 20_000).map("x"::repeat)))).map(text -> "\"" + text + "\"");
    }

    /** Arrays or objects nested around the reader's limit of 64 levels. */
    static Gen<String> deepNesting() {
        return integers().between(1, 70).zip(Generate.pick(List.of("[", "{\"a\":")),
                (levels, open) -> open.repeat(levels) + "1" + (open.equals("[") ? "]" : "}").repeat(levels));
    }

    /** Many tiny values in one array: many tree nodes and BSON elements for few bytes. */
    static Gen<String> wideArray() {
        return integers().between(100, 20_000).zip(Generate.pick(List.of("0", "[]", "{}", "null", "\"\"")),
                (count, element) -> "[" + (element + ",").repeat(count - 1) + element + "]");
    }

    /** A generated string as the inside of a JSON string literal. */
    private static String escape(String text) {
        String quoted = JSON.writeValueAsString(text);
        return quoted.substring(1, quoted.length() - 1);
    }
}
