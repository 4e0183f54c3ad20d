package dev.trackpipeline.replay;

import dev.trackpipeline.model.kafka.TrackHeaders;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** The record a dead letter becomes when it is put back: the event as it was, for the group that gave up on it only. */
final class RedriveRecords {

    private RedriveRecords() {
    }

    /**
     * To the letter's source topic and partition (so a page session stays in one partition), with
     * its key, its value and the gateway's headers as they were: the same event id, so the writer
     * recognises an event it holds, and the same received-at, so the aggregator counts it in its
     * minute. The letter's own headers are left behind; {@link TrackHeaders#REDRIVE_GROUP} names
     * the only group that applies it: the letter's, or the one an operator named for it (a group
     * renamed since the letter was written).
     */
    static ProducerRecord<byte[], byte[]> of(DeadLetterRecord letter, String group) {
        DeadLetterRecord.Source source = letter.source().orElseThrow();
        RecordHeaders headers = new RecordHeaders();
        for (Header header : letter.record().headers()) {
            if (!header.key().startsWith("track-dead-letter-") && !header.key().equals(TrackHeaders.REDRIVE_GROUP)
                    && !header.key().equals(TrackHeaders.REDRIVEN_FROM)) {
                headers.add(header.key(), header.value());
            }
        }
        headers.add(TrackHeaders.REDRIVE_GROUP, utf8(group));
        headers.add(TrackHeaders.REDRIVEN_FROM, utf8(letter.position()));
        return new ProducerRecord<>(source.topic(), source.partition(), letter.record().key(), letter.record().value(), headers);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
