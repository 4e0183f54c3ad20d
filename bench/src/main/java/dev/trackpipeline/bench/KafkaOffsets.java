package dev.trackpipeline.bench;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;

/** Where the event topics end, and where a consumer group stands in them. */
final class KafkaOffsets implements AutoCloseable {

    private final Admin admin;
    private final List<String> topics;

    KafkaOffsets(String bootstrapServers, List<String> topics) {
        this.admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers));
        this.topics = List.copyOf(topics);
    }

    Map<TopicPartition, Long> ends() throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).forEach((topic, description) ->
                description.partitions().forEach(partition -> latest.put(new TopicPartition(topic, partition.partition()), OffsetSpec.latest())));
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((partition, info) -> ends.put(partition, info.offset()));
        return ends;
    }

    /** Sum of the group's committed offsets over the event topics. */
    long committed(String group) throws Exception {
        return sum(committedByPartition(group).values());
    }

    /** The group's committed offset of each partition of the event topics it has committed in. */
    Map<TopicPartition, Long> committedByPartition(String group) throws Exception {
        Map<TopicPartition, Long> committed = new HashMap<>();
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS).forEach((partition, offset) -> {
            if (offset != null && topics.contains(partition.topic())) {
                committed.put(partition, offset.offset());
            }
        });
        return committed;
    }

    /** The partitions each member of the group holds now, by the member's client id; members holding none left out. */
    Map<String, Set<TopicPartition>> assignments(String group) throws Exception {
        ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get(30, TimeUnit.SECONDS);
        Map<String, Set<TopicPartition>> assignments = new HashMap<>();
        description.members().stream().filter(member -> !member.assignment().topicPartitions().isEmpty())
                .forEach(member -> assignments.put(member.clientId(), Set.copyOf(member.assignment().topicPartitions())));
        return assignments;
    }

    /** Makes {@code group} start at {@code offsets} (the group must have no members). */
    void place(String group, Map<TopicPartition, Long> offsets) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> placed = new HashMap<>();
        offsets.forEach((partition, offset) -> placed.put(partition, new OffsetAndMetadata(offset)));
        admin.alterConsumerGroupOffsets(group, placed).all().get(30, TimeUnit.SECONDS);
    }

    void createTopic(String name, int partitions) throws Exception {
        try {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }

    static long sum(Collection<Long> offsets) {
        return offsets.stream().mapToLong(Long::longValue).sum();
    }

    @Override
    public void close() {
        admin.close();
    }
}
