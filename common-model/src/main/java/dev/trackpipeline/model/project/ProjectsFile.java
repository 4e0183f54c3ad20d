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
     * naming the file and, where the parser knows them, the line and the field, then the rule broken:
     * {@code projects file p.yml, near line 7 (projects[0].rateLimit): eventsPerSecond and burst must be
     * positive, got -5 and 10}.
     */
    public static ProjectRegistry load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("projects file " + file.toAbsolutePath() + " does not exist");
        }
        ObjectMapper mapper = file.getFileName().toString().endsWith(".json")
                ? JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build()
                : YAMLMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
        Contents contents;
        try {
            contents = mapper.readValue(Files.readAllBytes(file), Contents.class);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("projects file " + file + where(e) + ": " + ruleOf(e), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("projects file " + file + ": cannot be read (" + e.getMessage() + ")", e);
        }
        if (contents == null || contents.projects() == null || contents.projects().isEmpty()) {
            throw new IllegalArgumentException("projects file " + file + ": lists no projects");
        }
        try {
            return new ProjectRegistry(contents.projects());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("projects file " + file + ": " + e.getMessage(), e);
        }
    }

    /** ", near line 7 (projects[0].rateLimit)": where the parser was when it failed (the end of the object at fault). */
    private static String where(JacksonException e) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference reference : e.getPath()) {
            if (reference.getPropertyName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(reference.getPropertyName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        int line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
        return (line > 0 ? ", near line " + line : "") + (path.isEmpty() ? "" : " (" + path + ")");
    }

    /** The rule broken: a record's own message (it names the field), or the parser's first line. */
    private static String ruleOf(JacksonException e) {
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            if (cause instanceof IllegalArgumentException rule) {
                return rule.getMessage();
            }
        }
        String message = e.getOriginalMessage();
        return message == null ? e.getClass().getSimpleName() : message.lines().findFirst().orElse(message);
    }

    record Contents(List<Project> projects) {
    }
}
