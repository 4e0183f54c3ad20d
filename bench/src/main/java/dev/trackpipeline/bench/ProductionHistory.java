package dev.trackpipeline.bench;

import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.model.event.EventValidator;
import dev.trackpipeline.model.ingest.AcceptedEvent;
import dev.trackpipeline.model.ingest.IngestBatch;
import dev.trackpipeline.model.ingest.IngestBatchReader;
import dev.trackpipeline.model.ingest.IngestLimits;
import dev.trackpipeline.model.kafka.TopicNames;
import dev.trackpipeline.model.kafka.TrackHeaders;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A busy project's history, published to Kafka exactly as the gateway publishes accepted events
 * (the record is the event's bytes, the gateway's metadata in headers), so that the real writer
 * and aggregator store and count it: the read benchmark then reads what they made of it. The
 * events are the real SDK's captured ones, made unique and spread evenly over the span ending
 * now (each received when the SDK says it happened), over {@code pages} pages and, for the error
 * families, {@code distinctErrors} messages; the session recordings come apart, as a few long ones
 * in the last hour, since the captured mix's share of 80 KB chunks would make a month of them
 * hundreds of gigabytes.
 */
final class ProductionHistory {

    /** What the history holds. */
    record Shape(int events, int pages, int distinctErrors, int recordings, int chunksPerRecording, Duration span, int deepPage) {

        /** The project issue 21 asks the read side to be measured on: a million events, 30 days, lists read 500 pages deep. */
        static Shape ofEvents(int events) {
            return new Shape(events, 500, 5_000, 20, 100, Duration.ofDays(30), 500);
        }

        /**
         * A burst of new events for {@code history}'s pages and errors, over its last minute and no
         * recordings: what the counting meets while dashboards read ({@link #burst()} events).
         */
        static Shape burst(Shape history) {
            return new Shape(history.burst(), history.pages(), history.distinctErrors(), 0, 0, Duration.ofMinutes(1), history.deepPage());
        }

        /** How many events a burst holds: about ten seconds of counting for the full history's, a few for a smoke run's. */
        int burst() {
            return Math.max(2_000, events / 20);
        }

        /** A smoke run's: the same spread, fewer of everything. */
        static Shape small(int events) {
            return new Shape(events, 50, 200, 2, 40, Duration.ofDays(30), 10);
        }

        long records() {
            return (long) events + (long) recordings * chunksPerRecording;
        }
    }

    /**
     * What was published: how many records in all, a recording and the newest error to read back,
     * and every record's received-at (epoch ms, ascending), which says what a window must count.
     */
    record Published(long records, String longRecordingId, String newestErrorId, Duration took, long[] receivedAt) {

        /** How many records were received from {@code from} (inclusive) to {@code to} (exclusive), epoch ms. */
        long receivedBetween(long from, long to) {
            return Math.max(0, firstAtOrAfter(to) - firstAtOrAfter(from));
        }

        private int firstAtOrAfter(long millis) {
            int low = 0;
            int high = receivedAt.length;
            while (low < high) {
                int middle = (low + high) >>> 1;
                if (receivedAt[middle] < millis) {
                    low = middle + 1;
                } else {
                    high = middle;
                }
            }
            return low;
        }
    }

    static final String CLIENT = "bench-history";
    private static final Set<String> ERROR_TYPES = Set.of("error", "unhandledrejection", "resource", "xhr", "fetch");
    private static final int EVENTS_PER_SESSION = 20;
    private static final long SESSION_PREFIX = 0x6869_7374_6f72_7900L;
    private static final long RECORDING_PREFIX = 0x7265_636f_7264_0000L;

    private ProductionHistory() {
    }

    static Published publish(String bootstrapServers, Path capturedJsonl, Shape shape, Instant now) throws IOException {
        JsonMapper json = JsonMapper.builder().build();
        List<ObjectNode> captured = TrafficMix.capturedEvents(capturedJsonl, json);
        List<ObjectNode> events = captured.stream().filter(event -> !"recordScreen".equals(event.path("type").asString(""))).toList();
        List<ObjectNode> chunks = captured.stream().filter(event -> "recordScreen".equals(event.path("type").asString(""))).toList();
        if (events.isEmpty() || chunks.isEmpty()) {
            throw new IllegalArgumentException(capturedJsonl + " holds no events or no recording chunks to make a history of");
        }
        IngestBatchReader gateway = new IngestBatchReader(new EventValidator(new EventFamilies()), IngestLimits.DEFAULTS);
        TopicNames topics = TopicNames.defaults();
        AtomicReference<Exception> failed = new AtomicReference<>();
        long started = System.nanoTime();
        long startMillis = now.minus(shape.span()).toEpochMilli();
        String newestError = null;
        long[] receivedAt = new long[Math.toIntExact(shape.records())];
        int sent = 0;
        try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", bootstrapServers, "acks", "all",
                "enable.idempotence", true, "linger.ms", 20, "batch.size", 512 * 1024, "compression.type", "lz4",
                "max.request.size", 8 * 1024 * 1024), new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < shape.events(); i++) {
                ObjectNode event = events.get(i % events.size()).deepCopy();
                long millis = startMillis + shape.span().toMillis() * (i + 1L) / shape.events();
                event.put("time", millis);
                event.put("uuid", new UUID(SESSION_PREFIX, i / EVENTS_PER_SESSION).toString());
                event.put("pageUrl", "https://shop.example/page/" + Math.floorMod(i * 7_919L, shape.pages()));
                if (ERROR_TYPES.contains(event.path("type").asString("")) && event.has("message")) {
                    event.put("message", event.get("message").asString("") + " #" + Math.floorMod(i * 31L, shape.distinctErrors()));
                }
                AcceptedEvent accepted = send(producer, gateway, topics, json.writeValueAsBytes(event), Instant.ofEpochMilli(millis), failed);
                receivedAt[sent++] = millis;
                if ("error".equals(accepted.type())) {
                    newestError = accepted.eventId();
                }
            }
            String longRecording = null;
            long recordingsStart = now.minus(Duration.ofHours(1)).toEpochMilli();
            for (int r = 0; r < shape.recordings(); r++) {
                String id = new UUID(RECORDING_PREFIX, r).toString();
                longRecording = longRecording == null ? id : longRecording;
                for (int c = 0; c < shape.chunksPerRecording(); c++) {
                    ObjectNode chunk = chunks.get(c % chunks.size()).deepCopy();
                    long millis = recordingsStart + (long) r * shape.chunksPerRecording() * 10 + c * 10L;
                    chunk.put("time", millis);
                    chunk.put("uuid", new UUID(RECORDING_PREFIX, r).toString());
                    chunk.put("recordScreenId", id);
                    send(producer, gateway, topics, json.writeValueAsBytes(chunk), Instant.ofEpochMilli(millis), failed);
                    receivedAt[sent++] = millis;
                }
            }
            producer.flush();
            if (failed.get() != null) {
                throw new IllegalStateException("Kafka refused part of the history", failed.get());
            }
            Arrays.sort(receivedAt);
            return new Published(shape.records(), longRecording, newestError, Duration.ofNanos(System.nanoTime() - started), receivedAt);
        }
    }

    private static AcceptedEvent send(KafkaProducer<String, byte[]> producer, IngestBatchReader gateway, TopicNames topics, byte[] body,
                             Instant receivedAt, AtomicReference<Exception> failed) {
        IngestBatch batch = gateway.read(body);
        if (batch.accepted().size() != 1) {
            throw new IllegalStateException("the gateway's checks refuse a history event: " + batch.rejected());
        }
        AcceptedEvent accepted = batch.accepted().get(0);
        var headers = new RecordHeaders();
        TrackHeaders.of(accepted, receivedAt).forEach((name, value) -> headers.add(name, value.getBytes(StandardCharsets.UTF_8)));
        headers.add(TrackHeaders.CLIENT_HASH, CLIENT.getBytes(StandardCharsets.UTF_8));
        producer.send(new ProducerRecord<>(topics.forFamily(accepted.family()), null, accepted.partitionKey(), accepted.rawJson(), headers),
                (metadata, exception) -> {
                    if (exception != null) {
                        failed.compareAndSet(null, exception);
                    }
                });
        return accepted;
    }
}
