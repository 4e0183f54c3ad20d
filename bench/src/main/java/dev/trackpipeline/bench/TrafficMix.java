package dev.trackpipeline.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The events the benchmark sends: the real SDK's captured events in their captured proportions,
 * or synthetic {@code custom} events of a chosen size. Every event made is unique (its
 * {@code time} differs, and every hundred events start a new page session), so the stores do
 * real inserts rather than skip duplicates.
 */
final class TrafficMix {

    static final String APIKEY = "demo-project";
    private static final long FIRST_TIME = 1_795_700_000_000L;
    /** A page session sends this many events; sessions spread a project's events over the partitions. */
    private static final int EVENTS_PER_SESSION = 100;
    private static final long SESSION_PREFIX = 0x7472_6163_6b00_0000L;

    private final List<ObjectNode> templates;
    private final JsonMapper json;
    private long sequence;

    private TrafficMix(List<ObjectNode> templates, JsonMapper json) {
        if (templates.isEmpty()) {
            throw new IllegalArgumentException("no events to send");
        }
        this.templates = templates;
        this.json = json;
    }

    /** Every event the SDK posted in {@code captured.jsonl}, in capture order. */
    static TrafficMix fromFixtures(Path capturedJsonl) throws IOException {
        JsonMapper json = JsonMapper.builder().build();
        return new TrafficMix(capturedEvents(capturedJsonl, json), json);
    }

    /** Every event the SDK posted in {@code captured.jsonl}, in capture order, each in the benchmark's project. */
    static List<ObjectNode> capturedEvents(Path capturedJsonl, JsonMapper json) throws IOException {
        List<ObjectNode> events = new ArrayList<>();
        for (CapturedPosts.Post post : CapturedPosts.read(capturedJsonl, json)) {
            JsonNode body = json.readTree(post.body());
            if (body.isArray()) {
                body.forEach(event -> events.add((ObjectNode) event));
            } else {
                events.add((ObjectNode) body);
            }
        }
        events.forEach(event -> event.put("apikey", APIKEY));
        return events;
    }

    /** Custom events padded to about {@code bytes} bytes each. */
    static TrafficMix synthetic(int bytes) {
        JsonMapper json = JsonMapper.builder().build();
        ObjectNode event = json.createObjectNode().put("type", "custom").put("apikey", APIKEY)
                .put("time", FIRST_TIME).put("uuid", UUID.randomUUID().toString()).put("status", "ok");
        int padding = Math.max(0, bytes - json.writeValueAsBytes(event).length - 14);
        event.put("payload", "x".repeat(padding));
        return new TrafficMix(List.of(event), json);
    }

    /** The next unique event, as the SDK would send it alone. */
    byte[] nextEvent() {
        return json.writeValueAsBytes(nextNode());
    }

    /** The next {@code size} unique events as one JSON array body. */
    byte[] nextBatch(int size) {
        var batch = json.createArrayNode();
        for (int i = 0; i < size; i++) {
            batch.add(nextNode());
        }
        return json.writeValueAsBytes(batch);
    }

    /** {@code count} unique single-event bodies, made before a measurement so making them is not measured. */
    List<byte[]> events(int count) {
        List<byte[]> bodies = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            bodies.add(nextEvent());
        }
        return bodies;
    }

    List<byte[]> batches(int count, int size) {
        List<byte[]> bodies = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            bodies.add(nextBatch(size));
        }
        return bodies;
    }

    private ObjectNode nextNode() {
        long n = sequence++;
        ObjectNode event = templates.get((int) (n % templates.size())).deepCopy();
        event.put("time", FIRST_TIME + n);
        event.put("uuid", new UUID(SESSION_PREFIX, n / EVENTS_PER_SESSION).toString());
        return event;
    }
}
