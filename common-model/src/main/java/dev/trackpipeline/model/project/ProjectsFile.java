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

    public static ProjectRegistry load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("projects file " + file.toAbsolutePath() + " does not exist");
        }
        ObjectMapper mapper = file.getFileName().toString().endsWith(".json")
                ? JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build()
                : YAMLMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
        try {
            Contents contents = mapper.readValue(Files.readAllBytes(file), Contents.class);
            if (contents == null || contents.projects() == null || contents.projects().isEmpty()) {
                throw new IllegalArgumentException("projects file " + file + ": lists no projects");
            }
            return new ProjectRegistry(contents.projects());
        } catch (IOException | JacksonException | IllegalArgumentException e) {
            throw new IllegalArgumentException("projects file " + file + ": " + messageOf(e), e);
        }
    }

    private static String messageOf(Exception e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return e instanceof JacksonException jackson ? jackson.getOriginalMessage() + " (" + root.getMessage() + ")"
                : e.getMessage();
    }

    record Contents(List<Project> projects) {
    }
}
