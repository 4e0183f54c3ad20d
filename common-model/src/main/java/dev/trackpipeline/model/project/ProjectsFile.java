package dev.trackpipeline.model.project;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads the projects registry file named by {@code TRACK_PROJECTS_FILE}: YAML, or JSON when the
 * name ends in {@code .json}. Shape: {@code projects: [{apikey, name, readToken, allowedOrigins,
 * rateLimit: {eventsPerSecond, burst}}]}.
 */
public final class ProjectsFile {

    private ProjectsFile() {
    }

    /**
     * The registry in {@code file}, or an {@link IllegalArgumentException} whose message is one line
     * naming the file, the line and the field, then the rule broken: {@code projects file p.yml, line 5
     * (projects[0].rateLimit): rateLimit: eventsPerSecond and burst must be positive, got -5 and 10}.
     */
    public static ProjectRegistry load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("projects file " + file.toAbsolutePath() + " does not exist");
        }
        ObjectMapper mapper = file.getFileName().toString().endsWith(".json")
                ? JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build()
                : YAMLMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("projects file " + file + ": cannot be read (" + e.getMessage() + ")", e);
        }
        if (new String(content, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            throw new IllegalArgumentException("projects file " + file + ": the file is empty");
        }
        Contents contents;
        try {
            contents = mapper.readValue(content, Contents.class);
        } catch (JacksonException e) {
            String rule = ruleOf(e);
            throw new IllegalArgumentException("projects file " + file + where(e, rule, FieldLines.of(mapper, content)) + ": " + rule, e);
        }
        if (contents == null || contents.projects() == null || contents.projects().isEmpty()) {
            throw new IllegalArgumentException("projects file " + file + ": lists no projects");
        }
        int empty = contents.projects().indexOf(null);
        if (empty >= 0) {
            String path = "projects[" + empty + "]";
            throw new IllegalArgumentException("projects file " + file + FieldLines.of(mapper, content).line(path).map(line -> ", line " + line)
                    .orElse("") + " (" + path + "): an empty entry; give it an apikey and a readToken");
        }
        try {
            return new ProjectRegistry(contents.projects());
        } catch (ProjectRegistry.RuleBroken e) {
            String place = FieldLines.of(mapper, content).line(e.path()).map(line -> ", line " + line).orElse("") + " (" + e.path() + ")";
            throw new IllegalArgumentException("projects file " + file + place + ": " + e.getMessage(), e);
        }
    }

    /**
     * ", line 5 (projects[0].rateLimit)": the field at fault and the line it is written on; the field
     * the rule names ("readToken: ...") when the path stops at its object. When the file does not
     * parse that far, where the parser stopped ("near line 3").
     */
    private static String where(JacksonException e, String rule, FieldLines lines) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference reference : e.getPath()) {
            if (reference.getPropertyName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(reference.getPropertyName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        int parsedTo = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
        if (e instanceof tools.jackson.core.exc.StreamReadException && !(e instanceof tools.jackson.databind.DatabindException)) {
            // the file does not parse: where the parser stopped is what to look at
            return (parsedTo > 0 ? ", near line " + parsedTo : "") + (path.isEmpty() ? "" : " (" + path + ")");
        }
        int colon = rule.indexOf(": ");
        String named = colon > 0 && rule.substring(0, colon).matches("[A-Za-z]+") ? path + "." + rule.substring(0, colon) : null;
        if (named != null && lines.line(named).isPresent()) {
            return ", line " + lines.line(named).get() + " (" + named + ")";
        }
        if (!path.isEmpty() && lines.line(path.toString()).isPresent()) {
            return ", line " + lines.line(path.toString()).get() + " (" + path + ")";
        }
        return (parsedTo > 0 ? ", near line " + parsedTo : "") + (path.isEmpty() ? "" : " (" + path + ")");
    }

    /** The rule broken: a record's own message (it names the field), or the parser's first line. */
    private static String ruleOf(JacksonException e) {
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            if (cause instanceof IllegalArgumentException rule) {
                return rule.getMessage();
            }
        }
        String message = e.getOriginalMessage();
        String first = message == null ? e.getClass().getSimpleName() : message.lines().findFirst().orElse(message);
        return plainly(first);
    }

    private static final java.util.regex.Pattern WRONG_KIND =
            java.util.regex.Pattern.compile("Cannot deserialize value of type `([^`]+)` from (\\w+) value.*");

    /** The parser's words for what a reader of the file wrote wrong, in the file's own terms. */
    static String plainly(String parserMessage) {
        if (parserMessage.startsWith("No content to map due to end-of-input")) {
            return "the file is empty";
        }
        if (parserMessage.startsWith("Unexpected end-of-input")) {
            return "the file ends before what it opened is closed";
        }
        java.util.regex.Matcher wrongKind = WRONG_KIND.matcher(parserMessage);
        if (wrongKind.matches()) {
            return "expected " + kindOf(wrongKind.group(1)) + ", got " + kindOf(wrongKind.group(2));
        }
        return parserMessage;
    }

    private static String kindOf(String javaOrJsonType) {
        String type = javaOrJsonType.replaceAll("<.*", "");
        return switch (type) {
            case "java.lang.String", "String" -> "text";
            case "java.util.List", "java.util.ArrayList", "Array" -> "a list";
            case "int", "long", "java.lang.Integer", "java.lang.Long", "Integer", "Number" -> "a number";
            case "Object" -> "a mapping (key: value)";
            case "Boolean", "boolean", "java.lang.Boolean" -> "true or false";
            default -> type.substring(type.lastIndexOf('.') + 1);
        };
    }

    record Contents(List<Project> projects) {
    }
}
