package dev.trackpipeline.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.model.kafka.TrackHeaders;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** What a redrive prints of the letters it read, and which it leaves out before asking Kafka anything. */
class RedriveTallyTest {

    /** A reason holds text from the record (anyone with the public apikey chose it): it must not drive the operator's terminal. */
    @Test
    void printsReasonsAndGroupsWithTheirControlCharactersReplaced() {
        RedriveTally tally = new RedriveTally();
        tally.selected(letter("track-writer\u001b[2J", "unstorable", "bad value \u001b]0;owned\u0007\r\nforged line"));
        StringWriter table = new StringWriter();

        tally.printTable(new PrintWriter(table, true));

        assertThat(table.toString()).contains("track-writer?[2J", "bad value ?]0;owned???forged line")
                .doesNotContain("\u001b", "\u0007", "\r");
    }

    @Test
    void leavesLettersNoRedriveCanStoreOutUnlessTheirOutcomeIsNamed() {
        RedriveSelection everything = new RedriveSelection(Set.of(), Set.of(), Set.of(), null);
        RedriveSelection invalidEvents = new RedriveSelection(Set.of(), Set.of("invalid_event"), Set.of(), null);

        assertThat(everything.leavesAsNeverStorable(letter("track-writer", "invalid_event", "schema"))).isTrue();
        assertThat(everything.leavesAsNeverStorable(letter("track-writer", "missing_metadata", "no event id"))).isTrue();
        assertThat(everything.leavesAsNeverStorable(letter("track-writer", "invalid_json", "not json"))).isTrue();
        assertThat(everything.leavesAsNeverStorable(letter("track-writer", "unstorable", "a bug since fixed"))).isFalse();
        assertThat(invalidEvents.leavesAsNeverStorable(letter("track-writer", "invalid_event", "schema"))).isFalse();
    }

    @Test
    void saysInTheSummaryWhichLettersItLeftAsNeverStorableAndWhichForAGroupThatDoesNotConsumeTheirTopic() {
        RedriveTally tally = new RedriveTally();
        tally.left(RedriveTally.Left.NEVER_STORABLE);
        tally.notConsumed("track-writer", "track.custom");
        tally.notConsumed("track-writer", "track.custom");

        assertThat(tally.leftOut()).isEqualTo("3 letters read: 1 whose outcome no redrive can change (invalid_json, invalid_event, "
                + "missing_metadata; --outcome names them to redrive them anyway), 2 group track-writer does not consume track.custom");
        assertThat(tally.notConsumedCount()).isEqualTo(2);
    }

    private static DeadLetterRecord letter(String group, String outcome, String reason) {
        var record = new ConsumerRecord<byte[], byte[]>("track.dead-letter", 0, 0, new byte[0], new byte[0]);
        record.headers().add(TrackHeaders.DEAD_LETTER_GROUP, group.getBytes(StandardCharsets.UTF_8));
        record.headers().add(TrackHeaders.DEAD_LETTER_OUTCOME, outcome.getBytes(StandardCharsets.UTF_8));
        record.headers().add(TrackHeaders.DEAD_LETTER_REASON, reason.getBytes(StandardCharsets.UTF_8));
        record.headers().add(TrackHeaders.DEAD_LETTER_SOURCE, "track.custom:0:1".getBytes(StandardCharsets.UTF_8));
        return DeadLetterRecord.of(record);
    }
}
