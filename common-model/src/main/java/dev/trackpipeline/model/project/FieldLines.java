package dev.trackpipeline.model.project;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamContext;
import tools.jackson.databind.ObjectMapper;

/**
 * Where each field of a projects file is written: its path ({@code projects[1].rateLimit}) to the
 * line its value starts on, read from the parser's token locations. What a rule names by path is
 * then found by line, where the parser itself is already past the object at fault.
 */
final class FieldLines {

    private final Map<String, Integer> lines;

    private FieldLines(Map<String, Integer> lines) {
        this.lines = lines;
    }

    /** The fields of {@code content}, or none when it does not parse (the parser's own location says where then). */
    static FieldLines of(ObjectMapper mapper, byte[] content) {
        Map<String, Integer> lines = new HashMap<>();
        try (JsonParser parser = mapper.createParser(content)) {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (token == JsonToken.PROPERTY_NAME || token.isStructEnd()) {
                    continue;
                }
                // A value's own context is the object or array it opens; its place is in the parent's.
                TokenStreamContext context = token.isStructStart() ? parser.streamReadContext().getParent() : parser.streamReadContext();
                lines.putIfAbsent(path(context), parser.currentTokenLocation().getLineNr());
            }
        } catch (JacksonException unparseable) {
            return new FieldLines(lines);
        }
        return new FieldLines(lines);
    }

    /** The line {@code path}'s value starts on, if the file has it. */
    Optional<Integer> line(String path) {
        return Optional.ofNullable(lines.get(path));
    }

    /** {@code projects[0].rateLimit}: the names and indexes from the root down to {@code context}'s current place. */
    private static String path(TokenStreamContext context) {
        java.util.Deque<String> steps = new java.util.ArrayDeque<>();
        for (TokenStreamContext at = context; at != null && !at.inRoot(); at = at.getParent()) {
            steps.push(at.inArray() ? "[" + at.getCurrentIndex() + "]" : "." + at.currentName());
        }
        String joined = String.join("", steps);
        return joined.startsWith(".") ? joined.substring(1) : joined;
    }
}
