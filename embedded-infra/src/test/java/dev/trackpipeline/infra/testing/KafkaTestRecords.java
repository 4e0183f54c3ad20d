package dev.trackpipeline.infra.testing;

import dev.trackpipeline.model.fixtures.FixtureRecords.FixtureRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import dev.trackpipeline.model.kafka.TrackHeaders;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Tests' view of a real broker: write records as the gateway would, read topics and group offsets back. */
public final class KafkaTestRecords {

    private KafkaTestRecords() {
    }

    /**
     * Waits until the consumer group has committed every record the topics hold, so what a test
     * reads next is not still changing under it. Empty partitions need no commit.
     */
    public static void awaitConsumed(String bootstrap, String group, Collection<String> topics) {
        awaitConsumed(bootstrap, group, topics, Duration.ofSeconds(60));
    }

    /**
     * As {@link #awaitConsumed(String, String, Collection)}, for at most {@code atMost}; a timeout
     * names the partitions still behind (committed and end offsets), which tells a consumer stuck
     * on one partition from one merely slow on all.
     */
    public static void awaitConsumed(String bootstrap, String group, Collection<String> topics, Duration atMost) {
        // a loop of its own, not Awaitility: the modules using this class need not carry Awaitility
        long deadline = System.nanoTime() + atMost.toNanos();
        Object behind = "not read yet";
        while (System.nanoTime() < deadline) {
            try {
                List<String> now = partitionsBehind(bootstrap, group, topics);
                if (now.isEmpty()) {
                    return;
                }
                behind = now;
            } catch (Exception unanswered) {
                behind = "the broker did not answer: " + unanswered;
            }
            try {
                TimeUnit.MILLISECONDS.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for group " + group, e);
            }
        }
        throw new AssertionError("group " + group + " has not consumed everything within " + atMost + "; behind: " + behind);
    }

    /** The partitions of {@code topics} holding records {@code group} has not committed, each as topic-partition committed/end. */
    public static List<String> partitionsBehind(String bootstrap, String group, Collection<String> topics) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> committed = new java.util.HashMap<>(
                    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS));
            committed.values().removeIf(java.util.Objects::isNull);
            Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new java.util.HashMap<>();
            admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS).forEach((topic, description) ->
                    description.partitions().forEach(partition -> latest.put(new TopicPartition(topic, partition.partition()),
                            org.apache.kafka.clients.admin.OffsetSpec.latest())));
            List<String> behind = new ArrayList<>();
            admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).forEach((partition, end) -> {
                long done = committed.containsKey(partition) ? committed.get(partition).offset() : -1;
                if (end.offset() > 0 && done < end.offset()) {
                    behind.add(partition + " " + (done < 0 ? "none" : done) + "/" + end.offset());
                }
            });
            behind.sort(null);
            return behind;
        }
    }

    /** Each record's Kafka timestamp is its received-at header, as when the gateway publishes it. */
    public static void produce(String bootstrap, Collection<FixtureRecord> records) throws Exception {
        produce(bootstrap, records, null);
    }

    /** As {@link #produce(String, Collection)}, every record to {@code partition}, or by its key when null. */
    public static void produce(String bootstrap, Collection<FixtureRecord> records, Integer partition) throws Exception {
        try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", bootstrap, "acks", "all",
                "max.request.size", 4 * 1024 * 1024), new StringSerializer(), new ByteArraySerializer())) {
            for (FixtureRecord record : records) {
                var headers = new RecordHeaders();
                record.headers().forEach((name, value) -> headers.add(name, value.getBytes(StandardCharsets.UTF_8)));
                Long timestamp = Optional.ofNullable(record.headers().get(TrackHeaders.RECEIVED_AT))
                        .filter(text -> text.chars().allMatch(Character::isDigit) && !text.isEmpty()).map(Long::valueOf).orElse(null);
                producer.send(new ProducerRecord<>(record.topic(), partition, timestamp, record.key(), record.value(), headers))
                        .get(30, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Reads the topics from the beginning until the expected count has arrived (or 30 s pass),
     * then polls once more, so anything beyond the expected count (a duplicate) shows too.
     */
    public static List<ConsumerRecord<String, byte[]>> readAtLeast(String bootstrap, int expected, String... topics) {
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of("bootstrap.servers", bootstrap,
                "group.id", "test-" + System.nanoTime(), "auto.offset.reset", "earliest",
                "max.partition.fetch.bytes", 4 * 1024 * 1024), new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topics));
            List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(300)).forEach(records::add);
            }
            consumer.poll(Duration.ofMillis(300)).forEach(records::add);
            return records;
        }
    }

    /** Everything the topics hold right now: reads each partition from its start to its current end. */
    public static List<ConsumerRecord<String, byte[]>> readAll(String bootstrap, String... topics) {
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of("bootstrap.servers", bootstrap,
                "max.partition.fetch.bytes", 4 * 1024 * 1024), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                consumer.partitionsFor(topic).forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(partition -> consumer.position(partition) < ends.get(partition))
                    && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(300)).forEach(records::add);
            }
            return records;
        }
    }

    /** The sum of a consumer group's committed offsets over one topic's partitions; 0 when nothing is committed. */
    public static long committedOffsets(String bootstrap, String groupId, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            return admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS)
                    .entrySet().stream()
                    .filter(entry -> entry.getKey().topic().equals(topic) && entry.getValue() != null)
                    .mapToLong(entry -> entry.getValue().offset()).sum();
        }
    }
}
