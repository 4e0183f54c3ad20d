package dev.trackpipeline.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class ConsumerDrainTest {

    private static final TopicPartition PAGE_0 = new TopicPartition("track.events.page", 0);
    private static final TopicPartition PAGE_1 = new TopicPartition("track.events.page", 1);
    private static final TopicPartition ERROR_0 = new TopicPartition("track.events.error", 0);
    private static final Map<TopicPartition, Long> END = Map.of(PAGE_0, 400L, PAGE_1, 350L, ERROR_0, 40L);

    @Test
    void eachMemberDrainedHowFarItsOwnPartitionsMoved() {
        List<Long> drained = ConsumerDrain.eventsByMember(List.of(Set.of(PAGE_0, ERROR_0), Set.of(PAGE_1)),
                Map.of(PAGE_0, 100L, PAGE_1, 100L, ERROR_0, 10L), END);

        assertThat(drained).containsExactly(330L, 250L);
    }

    @Test
    void anInstanceIsDoneOnceItHasDrainedAllOfItsPartitions() {
        List<Set<TopicPartition>> members = List.of(Set.of(PAGE_0, ERROR_0), Set.of(PAGE_1));

        assertThat(ConsumerDrain.anyDone(members, Map.of(PAGE_0, 400L, PAGE_1, 300L, ERROR_0, 39L), END)).isFalse();
        assertThat(ConsumerDrain.anyDone(members, Map.of(PAGE_0, 400L, PAGE_1, 300L, ERROR_0, 40L), END)).isTrue();
        assertThat(ConsumerDrain.anyDone(members, Map.of(PAGE_0, 10L, PAGE_1, 350L), END)).isTrue();
    }

    @Test
    void oneInstanceIsDoneOnlyAtTheEndOfEveryPartition() {
        List<Set<TopicPartition>> one = List.of(Set.of(PAGE_0, PAGE_1, ERROR_0));

        assertThat(ConsumerDrain.anyDone(one, Map.of(PAGE_0, 400L, PAGE_1, 350L, ERROR_0, 39L), END)).isFalse();
        assertThat(ConsumerDrain.anyDone(one, END, END)).isTrue();
    }

    @Test
    void anInstanceIsWarmedUpOnceItsPartitionsTogetherHaveCommittedTheirWarmUpEvents() {
        Set<TopicPartition> partitions = Set.of(PAGE_0, ERROR_0);
        Map<TopicPartition, Long> warmedUp = Map.of(PAGE_0, 300L, PAGE_1, 300L, ERROR_0, 30L);

        // The page partition behind, the error partition ahead: together they have drained their warm-up.
        assertThat(ConsumerDrain.warmedUp(partitions, Map.of(PAGE_0, 295L, ERROR_0, 35L), warmedUp)).isTrue();
        assertThat(ConsumerDrain.warmedUp(partitions, Map.of(PAGE_0, 295L, ERROR_0, 34L, PAGE_1, 400L), warmedUp)).isFalse();
    }
}
