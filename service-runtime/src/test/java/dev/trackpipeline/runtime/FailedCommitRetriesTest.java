package dev.trackpipeline.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trackpipeline.infra.EmbeddedKafkaBroker;
import dev.trackpipeline.infra.FreePorts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.event.ListenerContainerPartitionIdleEvent;
import org.springframework.kafka.listener.BatchMessageListener;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.support.TopicPartitionOffset;

/**
 * An asynchronous commit lost to a broker going away, on a partition that gets no more records:
 * a real broker, a real listener container set up as the services' are, the broker stopped while
 * a batch is in the listener, so the batch's commit fails for real.
 */
class FailedCommitRetriesTest {

    static final String TOPIC = "retries.error";
    static final String GROUP = "retries-test";
    static final String ANOTHER_GROUP = "retries-test-other";
    static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);

    @TempDir
    Path dir;
    final int port = FreePorts.one();
    final int controllerPort = FreePorts.one();
    final FailedCommitRetries retries = new FailedCommitRetries();
    final CountDownLatch held = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    EmbeddedKafkaBroker broker;
    ConcurrentMessageListenerContainer<String, String> container;

    @AfterEach
    void stop() {
        release.countDown();
        if (container != null) {
            container.stop();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void aCommitLostWhileTheBrokerWasAwayIsMadeGoodOnceThePartitionIsIdleAndTheBrokerBack() throws Exception {
        broker = startBroker();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        container = listeningContainer();
        container.start();
        send("stored");
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> committed(GROUP).equals(OptionalLong.of(1)));

        send("held while the broker goes away");
        assertThat(held.await(60, TimeUnit.SECONDS)).isTrue();
        broker.close();
        broker = null;
        release.countDown();
        await().atMost(Duration.ofSeconds(60)).until(() -> retries.pending(GROUP).containsKey(PARTITION));
        assertThat(retries.pending(GROUP)).containsEntry(PARTITION, 2L);

        broker = startBroker();
        // no record comes after the failed commit: only the retry can move the group to the end
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> committed(GROUP).equals(OptionalLong.of(2)));
        assertThat(retries.pending(GROUP)).isEmpty();

        // a failure reported late, for an offset the group has passed, moves nothing back; another group's is not this consumer's
        RuntimeException failure = new IllegalStateException("reported late");
        retries.callbackFor(GROUP).onComplete(Map.of(PARTITION, new OffsetAndMetadata(1)), failure);
        retries.callbackFor(ANOTHER_GROUP).onComplete(Map.of(PARTITION, new OffsetAndMetadata(2)), failure);
        await().during(Duration.ofSeconds(12)).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofSeconds(1))
                .until(() -> committed(GROUP).equals(OptionalLong.of(2)) && committed(ANOTHER_GROUP).isEmpty());
        assertThat(retries.pending(GROUP)).isEmpty();
        assertThat(retries.pending(ANOTHER_GROUP)).containsEntry(PARTITION, 2L);
    }

    @Test
    void aLaterCommitThatCoversAFailedOneLeavesNothingToRetry() {
        var callback = retries.callbackFor(GROUP);
        callback.onComplete(Map.of(PARTITION, new OffsetAndMetadata(5)), new IllegalStateException("coordinator moved"));
        callback.onComplete(Map.of(PARTITION, new OffsetAndMetadata(9)), null);

        assertThat(retries.pending(GROUP)).isEmpty();
    }

    @Test
    void anEarlierCommitCompletingLateLeavesTheFailedOneToRetry() {
        var callback = retries.callbackFor(GROUP);
        callback.onComplete(Map.of(PARTITION, new OffsetAndMetadata(9)), new IllegalStateException("coordinator moved"));
        callback.onComplete(Map.of(PARTITION, new OffsetAndMetadata(5)), null);

        assertThat(retries.pending(GROUP)).containsEntry(PARTITION, 9L);
    }

    @Test
    void anotherGroupsCommitOnTheSamePartitionCoversNothingOfThisGroup() {
        retries.callbackFor(GROUP).onComplete(Map.of(PARTITION, new OffsetAndMetadata(9)), new IllegalStateException("coordinator moved"));
        retries.callbackFor(ANOTHER_GROUP).onComplete(Map.of(PARTITION, new OffsetAndMetadata(12)), null);

        assertThat(retries.pending(GROUP)).containsEntry(PARTITION, 9L);
    }

    @Test
    void aFailedOffsetIsCommittedOnlyOnAPartitionTheConsumerOwnsAndHasReadThatFar() {
        var consumer = new MockConsumer<String, String>("earliest");
        String group = consumer.groupMetadata().groupId();
        TopicPartition owned = new TopicPartition(TOPIC, 1);
        consumer.assign(List.of(owned));
        consumer.updateBeginningOffsets(Map.of(owned, 0L));
        consumer.seek(owned, 3);
        var failure = new IllegalStateException("coordinator moved");
        retries.callbackFor(group).onComplete(Map.of(PARTITION, new OffsetAndMetadata(4), owned, new OffsetAndMetadata(9)), failure);

        retries.retry(consumer);

        assertThat(consumer.committed(Set.of(PARTITION, owned))).as("another member's partition; one read to 3 of 9").isEmpty();
        assertThat(retries.pending(group)).containsOnly(Map.entry(PARTITION, 4L), Map.entry(owned, 9L));

        consumer.seek(owned, 9);
        retries.retry(consumer);

        assertThat(consumer.committed(Set.of(owned))).containsEntry(owned, new OffsetAndMetadata(9));
        assertThat(retries.pending(group)).containsOnly(Map.entry(PARTITION, 4L));
    }

    @Test
    void aRetryThatFailsPausesTheGroupsRetries() {
        var refusingOnce = new java.util.concurrent.atomic.AtomicBoolean(true);
        var consumer = new MockConsumer<String, String>("earliest") {
            @Override
            public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
                if (refusingOnce.getAndSet(false)) {
                    throw new org.apache.kafka.common.errors.TimeoutException("the coordinator did not answer in " + timeout);
                }
                super.commitSync(offsets, timeout);
            }
        };
        String group = consumer.groupMetadata().groupId();
        consumer.assign(List.of(PARTITION));
        consumer.updateBeginningOffsets(Map.of(PARTITION, 0L));
        consumer.seek(PARTITION, 9);
        retries.callbackFor(group).onComplete(Map.of(PARTITION, new OffsetAndMetadata(9)), new IllegalStateException("coordinator moved"));

        retries.retry(consumer);
        retries.retry(consumer); // the broker would answer now, but the group waits out its pause

        assertThat(consumer.committed(Set.of(PARTITION))).isEmpty();
        assertThat(retries.pending(group)).containsEntry(PARTITION, 9L);
    }

    private EmbeddedKafkaBroker startBroker() {
        return EmbeddedKafkaBroker.start(dir.resolve("kafka"), "127.0.0.1", port, controllerPort);
    }

    /** One partition assigned by hand (no group rebalance to re-read it), committing as the services do. */
    private ConcurrentMessageListenerContainer<String, String> listeningContainer() {
        var consumers = new DefaultKafkaConsumerFactory<String, String>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port,
                ConsumerConfig.GROUP_ID_CONFIG, GROUP,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer());
        var properties = new ContainerProperties(new TopicPartitionOffset(TOPIC, 0));
        properties.setMessageListener((BatchMessageListener<String, String>) records -> {
            if (records.stream().anyMatch(record -> record.value().startsWith("held"))) {
                held.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        var listening = new ConcurrentMessageListenerContainer<>(consumers, properties);
        @SuppressWarnings({"unchecked", "rawtypes"})
        ConcurrentMessageListenerContainer<Object, Object> asTheServicesHaveIt = (ConcurrentMessageListenerContainer) listening;
        new AsynchronousOffsetCommits().asynchronousOffsetCommits(retries).configure(asTheServicesHaveIt);
        listening.setApplicationEventPublisher(event -> {
            if (event instanceof ListenerContainerPartitionIdleEvent idle) {
                retries.onApplicationEvent(idle);
            }
        });
        return listening;
    }

    private void send(String value) throws Exception {
        try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", "127.0.0.1:" + port), new StringSerializer(),
                new StringSerializer())) {
            producer.send(new ProducerRecord<>(TOPIC, 0, null, value)).get(30, TimeUnit.SECONDS);
        }
    }

    private OptionalLong committed(String group) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", "127.0.0.1:" + port))) {
            OffsetAndMetadata offset = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS)
                    .get(PARTITION);
            return offset == null ? OptionalLong.empty() : OptionalLong.of(offset.offset());
        }
    }
}
