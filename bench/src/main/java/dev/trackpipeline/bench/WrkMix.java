package dev.trackpipeline.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The mix file wrk's script sends ({@code wrk/mix.lua}): every request the real SDK posted in
 * {@code captured.jsonl}, as captured (body, content type, single events and batches in their
 * proportions), its session ids left for the script to make unique per request.
 */
final class WrkMix {

    private static final Pattern SESSION = Pattern.compile("\"uuid\":\"[^\"]*\"");

    private WrkMix() {
    }

    /** Writes the captured posts to {@code mix}; returns how many events the posts hold on average. */
    static double captured(Path capturedJsonl, Path mix) throws IOException {
        JsonMapper json = JsonMapper.builder().build();
        List<String> lines = new ArrayList<>();
        long events = 0;
        for (CapturedPosts.Post post : CapturedPosts.read(capturedJsonl, json)) {
            String body = post.body();
            if (body.indexOf('\n') >= 0 || body.indexOf('\t') >= 0) {
                body = json.writeValueAsString(json.readTree(body)); // one line, as the mix file needs
            }
            JsonNode parsed = json.readTree(body);
            events += parsed.isArray() ? parsed.size() : 1;
            lines.add(post.contentType() + "\t" + SESSION.matcher(body).replaceAll("\"uuid\":\"__UUID__\""));
        }
        if (lines.isEmpty()) {
            throw new IllegalArgumentException(capturedJsonl + " holds no POST to send");
        }
        Files.write(mix, lines, StandardCharsets.UTF_8);
        return (double) events / lines.size();
    }
}
