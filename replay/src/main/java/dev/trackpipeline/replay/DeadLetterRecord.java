package dev.trackpipeline.replay;

import dev.trackpipeline.model.kafka.TrackHeaders;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A record of the dead-letter topic read back: who gave up on it ({@link TrackHeaders#DEAD_LETTER_GROUP}),
 * why, and where the record it holds came from.
 */
record DeadLetterRecord(ConsumerRecord<byte[], byte[]> record, Optional<String> group, String outcome, String reason,
                        Optional<Source> source) {

    /** Where a dead-lettered record was: {@code topic:partition:offset}. */
    record Source(String topic, int partition, long offset) {

        static Optional<Source> parse(String text) {
            int offsetAt = text.lastIndexOf(':');
            int partitionAt = offsetAt <= 0 ? -1 : text.lastIndexOf(':', offsetAt - 1);
            if (partitionAt <= 0) {
                return Optional.empty();
            }
            try {
                return Optional.of(new Source(text.substring(0, partitionAt), Integer.parseInt(text.substring(partitionAt + 1, offsetAt)),
                        Long.parseLong(text.substring(offsetAt + 1))));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }

        @Override
        public String toString() {
            return topic + ":" + partition + ":" + offset;
        }
    }

    static DeadLetterRecord of(ConsumerRecord<byte[], byte[]> record) {
        return new DeadLetterRecord(record, ExportLines.header(record, TrackHeaders.DEAD_LETTER_GROUP).filter(group -> !group.isBlank()),
                ExportLines.header(record, TrackHeaders.DEAD_LETTER_OUTCOME).orElse("-"),
                ExportLines.header(record, TrackHeaders.DEAD_LETTER_REASON).orElse(""),
                ExportLines.header(record, TrackHeaders.DEAD_LETTER_SOURCE).flatMap(Source::parse));
    }

    /** This letter's own place in the dead-letter topic. */
    String position() {
        return record.topic() + ":" + record.partition() + ":" + record.offset();
    }

    /**
     * What a redrive of this letter is recorded under: the group and the source record. Two letters
     * of one group about one record (the record was read again after a rebuild) are one redrive.
     */
    Optional<String> redriveKey() {
        return group.flatMap(name -> source.map(where -> name + " " + where));
    }
}
