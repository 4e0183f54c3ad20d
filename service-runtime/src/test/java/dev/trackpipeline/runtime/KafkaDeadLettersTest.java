package dev.trackpipeline.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.model.Outcome;
import dev.trackpipeline.model.ingest.IngestLimits;
import dev.trackpipeline.model.kafka.TopicNames;
import dev.trackpipeline.model.kafka.TrackHeaders;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/** A dead letter always fits the dead-letter topic, whatever the record it stands for held. */
class KafkaDeadLettersTest {

    static final IngestLimits LIMITS = new IngestLimits(4096, 8192, 100, 500, 64);

    final KafkaDeadLetters deadLetters = new KafkaDeadLetters(null, new TopicNames("track."), LIMITS, new SimpleMeterRegistry());

    @Test
    void keepsTheValueAndTheGatewaysHeadersAndSaysWhyWhereAndWho() {
        var headers = new RecordHeaders();
        headers.add(TrackHeaders.EVENT_ID, utf8("e-1"));
        headers.add("someone-elses-header", utf8("x"));
        var source = new ConsumerRecord<>("track.error", 3, 42L, 0L, TimestampType.CREATE_TIME, -1, -1, "k", utf8("{\"type\":\"error\"}"),
                headers, Optional.empty());

        ProducerRecord<String, byte[]> letter = deadLetters.record(new DeadLetter(source, Outcome.INVALID_EVENT, "time: is required"), "track-writer");

        assertThat(letter.topic()).isEqualTo("track.dead-letter");
        assertThat(letter.key()).isEqualTo("k");
        assertThat(new String(letter.value(), StandardCharsets.UTF_8)).isEqualTo("{\"type\":\"error\"}");
        assertThat(header(letter, TrackHeaders.EVENT_ID)).isEqualTo("e-1");
        assertThat(letter.headers().lastHeader("someone-elses-header")).isNull();
        assertThat(header(letter, TrackHeaders.DEAD_LETTER_OUTCOME)).isEqualTo("invalid_event");
        assertThat(header(letter, TrackHeaders.DEAD_LETTER_REASON)).isEqualTo("time: is required");
        assertThat(header(letter, TrackHeaders.DEAD_LETTER_SOURCE)).isEqualTo("track.error:3:42");
        assertThat(header(letter, TrackHeaders.DEAD_LETTER_GROUP)).isEqualTo("track-writer");
    }

    @Test
    void leavesOutAValueLargerThanAnyAcceptedEventAndCutsALongReason() {
        var headers = new RecordHeaders();
        headers.add(TrackHeaders.EVENT_ID, new byte[5000]);
        var source = new ConsumerRecord<>("track.custom", 0, 7L, 0L, TimestampType.CREATE_TIME, -1, -1, "k".repeat(5000), new byte[101],
                headers, Optional.empty());

        ProducerRecord<String, byte[]> letter = deadLetters.record(new DeadLetter(source, Outcome.UNSTORABLE, "r".repeat(10_000)), null);

        assertThat(letter.value()).isNull();
        assertThat(letter.key()).isNull();
        assertThat(letter.headers().lastHeader(TrackHeaders.EVENT_ID)).isNull();
        assertThat(letter.headers().lastHeader(TrackHeaders.DEAD_LETTER_GROUP)).isNull();
        assertThat(header(letter, TrackHeaders.DEAD_LETTER_REASON)).startsWith("r".repeat(2000) + "...")
                .endsWith("(the record's value of 101 bytes is left out: it is larger than any accepted event; "
                        + "track-dead-letter-source says where it is)");
    }

    private static String header(ProducerRecord<String, byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
