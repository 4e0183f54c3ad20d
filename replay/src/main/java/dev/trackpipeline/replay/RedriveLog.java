package dev.trackpipeline.replay;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * What has been redriven: a compacted topic holding one record per consumer group and source
 * record ({@link DeadLetterRecord#redriveKey}), written in the transaction of the redriven record
 * ({@link RedriveTransactions}), so a letter is marked if and only if it is redriven.
 * It makes a redrive exact for the aggregator, whose dedup window (an hour) would not recognise a
 * letter redriven a second time later. It grows with what is redriven, not with time.
 */
final class RedriveLog {

    private final String topic;
    private final Duration timeout;

    RedriveLog(String topic, Duration timeout) {
        this.topic = topic;
        this.timeout = timeout;
    }

    /** The keys redriven so far; none while the topic does not exist (nothing was ever redriven). */
    Set<String> read(Admin admin, KafkaConsumer<byte[], byte[]> consumer) throws Exception {
        Set<String> keys = new HashSet<>();
        if (!exists(admin)) {
            return keys;
        }
        List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                .map(info -> new TopicPartition(topic, info.partition())).toList();
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        // Read committed (KafkaOptions): the marks of a run fenced mid-transaction do not count, as its records do not.
        // Bounded by the ends at the start, so a redrive running beside this one cannot keep it reading.
        while (partitions.stream().anyMatch(partition -> consumer.position(partition, timeout) < ends.get(partition))) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                if (record.key() != null && record.offset() < ends.get(new TopicPartition(record.topic(), record.partition()))) {
                    keys.add(new String(record.key(), StandardCharsets.UTF_8));
                }
            }
        }
        consumer.unsubscribe();
        return keys;
    }

    /**
     * Creates the topic, compacted, unless it exists, with the dead-letter topic's replication
     * factor: the marks are what keeps a letter from being redriven twice, and would otherwise
     * have the broker's default, possibly one copy where the letters have three.
     */
    void create(Admin admin, String deadLetterTopic) throws Exception {
        if (exists(admin)) {
            return;
        }
        TopicDescription deadLetters = admin.describeTopics(List.of(deadLetterTopic)).allTopicNames()
                .get(timeout.toSeconds(), TimeUnit.SECONDS).get(deadLetterTopic);
        try {
            admin.createTopics(List.of(likeDeadLetters(deadLetters))).all().get(timeout.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }

    /**
     * The log's topic: one partition, compacted, as many replicas as the dead-letter topic has, all
     * but one of them in sync (2 of 3, as the services' topics), whatever the broker's default.
     */
    NewTopic likeDeadLetters(TopicDescription deadLetters) {
        short replicas = (short) deadLetters.partitions().get(0).replicas().size();
        return new NewTopic(topic, Optional.of(1), Optional.of(replicas)).configs(Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, String.valueOf(Math.max(1, replicas - 1))));
    }

    /** The record saying that the letter at {@code letter}, recorded under {@code key}, is back on its topic for {@code group}. */
    ProducerRecord<byte[], byte[]> mark(String key, String letter, String redrivenTo, String group) {
        String value = "redriven from " + letter + " to " + redrivenTo + " for " + group + " at " + Instant.now();
        return new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
    }

    private boolean exists(Admin admin) throws Exception {
        return admin.listTopics().names().get(timeout.toSeconds(), TimeUnit.SECONDS).contains(topic);
    }
}
