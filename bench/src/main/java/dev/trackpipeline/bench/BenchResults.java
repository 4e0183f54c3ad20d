package dev.trackpipeline.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** A benchmark's report: Markdown for people and JSON (the record itself) for tools, filed under its mode. */
interface BenchResults {

    String mode();

    String markdown();

    default void write(Path directory, String stem) throws IOException {
        Files.createDirectories(directory);
        JsonMapper json = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
        Files.writeString(directory.resolve(stem + ".json"), json.writeValueAsString(this) + "\n", StandardCharsets.UTF_8);
        Files.writeString(directory.resolve(stem + ".md"), markdown(), StandardCharsets.UTF_8);
    }
}
