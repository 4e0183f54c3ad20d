package dev.trackpipeline.bench;

import dev.trackpipeline.aggregator.consume.CountingReader;
import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.model.event.EventValidator;
import dev.trackpipeline.model.ingest.AcceptedEvent;
import dev.trackpipeline.model.ingest.IngestBatchReader;
import dev.trackpipeline.model.ingest.IngestLimits;
import dev.trackpipeline.model.kafka.EventRecord;
import dev.trackpipeline.model.kafka.EventRecordReader;
import dev.trackpipeline.model.kafka.TrackHeaders;
import dev.trackpipeline.writer.store.EventDocuments;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.bson.BsonBinaryWriter;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.codecs.DocumentCodec;
import org.bson.codecs.EncoderContext;
import org.bson.io.BasicOutputBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What one event of the captured mix costs the consumers' own per-event code on one warm thread,
 * beside the library doing that step alone (JMH; {@code bin/track micro-bench} runs it and
 * {@link MicroBenchCommand} pairs each with its baseline). Each invocation handles the next event
 * of the mix, so operations per second are events per second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PerEventBenchmarks {

    /** Unique events made from the captured mix, cycling through it about ten times. */
    private static final int EVENTS = 1_000;
    private static final EncoderContext COLLECTIBLE = EncoderContext.builder().isEncodingCollectibleDocument(true).build();

    /** The captured SDK traffic ({@code captured.jsonl}). */
    @Param("")
    public String capturedTraffic;

    private final JsonMapper json = JsonMapper.builder().build();
    private final DocumentCodec codec = new DocumentCodec();
    private EventRecordReader writerReader;
    private EventRecordReader aggregatorReader;
    private List<KafkaValue> values;
    private List<EventRecord> events;
    private List<Document> documents;
    private int next;

    /** A record's value and headers as the gateway publishes them. */
    private record KafkaValue(byte[] value, Map<String, String> headers) {
    }

    @Setup
    public void readTheCapturedMix() throws IOException {
        EventValidator validator = new EventValidator(new EventFamilies());
        IngestBatchReader gateway = new IngestBatchReader(validator, IngestLimits.DEFAULTS);
        writerReader = new EventRecordReader(validator, IngestLimits.DEFAULTS);
        aggregatorReader = CountingReader.of(validator, IngestLimits.DEFAULTS);
        values = new ArrayList<>();
        events = new ArrayList<>();
        documents = new ArrayList<>();
        Instant receivedAt = Instant.parse("2026-11-26T12:00:00Z");
        for (byte[] body : TrafficMix.fromFixtures(Path.of(capturedTraffic)).events(EVENTS)) {
            AcceptedEvent accepted = gateway.read(body).accepted().get(0);
            KafkaValue value = new KafkaValue(accepted.rawJson(), TrackHeaders.of(accepted, receivedAt));
            values.add(value);
            EventRecord event = read(writerReader, value);
            events.add(event);
            documents.add(EventDocuments.toBson(event).decode(codec));
        }
    }

    /** The writer's reader: headers, the JSON tree, validation. */
    @Benchmark
    public EventRecord writerReadsAnEvent() {
        return read(writerReader, values.get(nextIndex()));
    }

    /** The aggregator's reader, which skips what it never counts (session-replay recordings). */
    @Benchmark
    public EventRecord aggregatorReadsAnEvent() {
        return read(aggregatorReader, values.get(nextIndex()));
    }

    /** Baseline of both readers: Jackson building the tree of the same bytes, and nothing else. */
    @Benchmark
    public JsonNode jacksonReadsTheTree() {
        return json.readTree(values.get(nextIndex()).value());
    }

    /** The writer's document, encoded from the event's tree ({@link EventDocuments#toBson}). */
    @Benchmark
    public RawBsonDocument writerEncodesADocument() {
        return EventDocuments.toBson(events.get(nextIndex()));
    }

    /** Baseline: the driver encoding the same document, built as a {@code Document} beforehand. */
    @Benchmark
    public int driverEncodesTheDocument() {
        BasicOutputBuffer buffer = new BasicOutputBuffer(1024);
        try (BsonBinaryWriter writer = new BsonBinaryWriter(buffer)) {
            codec.encode(writer, documents.get(nextIndex()), COLLECTIBLE);
        }
        return buffer.getPosition();
    }

    private int nextIndex() {
        int index = next;
        next = index + 1 == EVENTS ? 0 : index + 1;
        return index;
    }

    private static EventRecord read(EventRecordReader reader, KafkaValue value) {
        return reader.read(name -> Optional.ofNullable(value.headers().get(name)), value.value());
    }
}
