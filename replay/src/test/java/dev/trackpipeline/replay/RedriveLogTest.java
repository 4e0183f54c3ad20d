package dev.trackpipeline.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

/** The marks topic keeps a letter from being redriven twice: it is kept as safely as the letters. */
class RedriveLogTest {

    @Test
    void createsTheMarksTopicCompactedWithTheDeadLetterTopicsReplicationFactor() {
        List<Node> brokers = List.of(new Node(1, "a", 9092), new Node(2, "b", 9092), new Node(3, "c", 9092));
        TopicDescription deadLetters = new TopicDescription("track.dead-letter", false,
                List.of(new TopicPartitionInfo(0, brokers.get(0), brokers, brokers)), null, Uuid.randomUuid());

        NewTopic marks = new RedriveLog("track.dead-letter-redriven", Duration.ofSeconds(5)).likeDeadLetters(deadLetters);

        assertThat(marks.name()).isEqualTo("track.dead-letter-redriven");
        assertThat(marks.replicationFactor()).isEqualTo((short) 3);
        assertThat(marks.numPartitions()).isOne();
        assertThat(marks.configs()).containsEntry(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)
                .containsEntry(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "2");
    }
}
