package dev.trackpipeline.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The posts the real SDK made in {@code captured.jsonl} (its preflights left out), in capture order. */
final class CapturedPosts {

    /** One post: its content type as sent, and its body. */
    record Post(String contentType, String body) {
    }

    private CapturedPosts() {
    }

    static List<Post> read(Path capturedJsonl, JsonMapper json) throws IOException {
        List<Post> posts = new ArrayList<>();
        for (String line : Files.readAllLines(capturedJsonl, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode request = json.readTree(line);
            if ("POST".equals(request.path("method").asString("")) && request.path("body").isString()) {
                posts.add(new Post(request.path("contentType").asString("application/json"), request.get("body").stringValue()));
            }
        }
        return posts;
    }
}
