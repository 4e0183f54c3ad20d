package dev.trackpipeline.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.trackpipeline.infra.EmbeddedInfrastructure;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A redrive's transactions against a real broker, on a clock the test moves: consumers reading
 * committed records wait on the partitions of an open transaction, so none stays open long.
 */
class RedriveTransactionsTest {

    static final EmbeddedInfrastructure infra = EmbeddedInfrastructure.startForTests();
    static final Duration COMMIT_AFTER = Duration.ofSeconds(2);
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    final AtomicLong nanos = new AtomicLong();
    String events;
    String marks;

    @BeforeEach
    void freshTopics() throws Exception {
        events = "events-" + System.nanoTime();
        marks = "marks-" + System.nanoTime();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", infra.kafkaBootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(events, 1, (short) 1), new NewTopic(marks, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void stop() {
        infra.close();
    }

    /** A scan over letters it leaves out, after one it took: the one is committed once the interval has passed. */
    @Test
    void aTransactionCommitsOnceOpenForTheIntervalHoweverFewItsLettersAndThoughNoneFollows() {
        try (RedriveTransactions transactions = start()) {
            transactions.send(redriven("first"), mark("first"));
            elapse(Duration.ofSeconds(1));
            transactions.commitIfDue();

            assertThat(transactions.uncommitted()).as("open for less than the interval").isEqualTo(1);
            assertThat(readCommittedEnd()).as("what a consumer reading committed records may read").isZero();

            elapse(Duration.ofSeconds(1));
            transactions.commitIfDue();
            transactions.send(redriven("second"), mark("second"));

            assertThat(transactions.committed()).isEqualTo(1);
            assertThat(transactions.uncommitted()).isEqualTo(1);
            assertThat(readCommittedEndOnceAt(2)).as("the first record and its commit marker, not the second's open transaction").isEqualTo(2);
        }
    }

    @Test
    void aRunTakenOverByAnotherRedriveSaysSo() {
        try (RedriveTransactions first = start()) {
            first.send(redriven("first"), mark("first"));
            elapse(Duration.ofSeconds(1));
            try (RedriveTransactions second = start()) {
                KafkaException failure = catchThrowableOfType(KafkaException.class, first::commit);

                assertThat(first.notCommitted(failure)).hasMessageStartingWith("another redrive started and took over")
                        .hasMessageContaining("the 1 letter of its open transaction are neither redriven nor marked");
            }
        }
    }

    /** Kafka aborts a transaction open past its timeout by the same fencing as a redrive taking over: its age tells them apart. */
    @Test
    void aRunWhoseTransactionWasOpenPastTheTimeoutSaysKafkaAbortedItRatherThanAnotherRedriveTookOver() {
        try (RedriveTransactions first = start()) {
            first.send(redriven("first"), mark("first"));
            elapse(RedriveTransactions.TRANSACTION_TIMEOUT);
            try (RedriveTransactions second = start()) {
                KafkaException failure = catchThrowableOfType(KafkaException.class, first::commit);

                assertThat(first.notCommitted(failure)).hasMessageStartingWith("the transaction was open for 15 s, past Kafka's "
                        + "transaction timeout (15 s), so Kafka aborted it");
            }
        }
    }

    /** Ctrl-C or SIGTERM: the consumers go on at once, not after the transaction timeout. */
    @Test
    void aRunStoppedWhileItsTransactionIsOpenAbortsItSoConsumersReadPastIt() {
        try (RedriveTransactions transactions = start()) {
            transactions.send(redriven("first"), mark("first"));
            assertThat(readCommittedEnd()).isZero();

            transactions.abortOnShutdown();
        }

        assertThat(readCommittedEndOnceAt(2)).as("the aborted record and its abort marker").isEqualTo(2);
    }

    private RedriveTransactions start() {
        return RedriveTransactions.start(Map.of("bootstrap.servers", infra.kafkaBootstrapServers(),
                "request.timeout.ms", (int) TIMEOUT.toMillis()), TIMEOUT, COMMIT_AFTER, nanos::get);
    }

    private void elapse(Duration duration) {
        nanos.addAndGet(duration.toNanos());
    }

    /** Kafka writes the markers that end a transaction just after it answers: the end where they put it, once they are written. */
    private long readCommittedEndOnceAt(long expected) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        long end = readCommittedEnd();
        while (end < expected && System.nanoTime() < deadline) {
            end = readCommittedEnd();
        }
        return end;
    }

    /** Where a consumer reading committed records must stop on the events topic: the first offset of an open transaction. */
    private long readCommittedEnd() {
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of("bootstrap.servers", infra.kafkaBootstrapServers(),
                "isolation.level", "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition partition = new TopicPartition(events, 0);
            return consumer.endOffsets(List.of(partition), TIMEOUT).get(partition);
        }
    }

    private ProducerRecord<byte[], byte[]> redriven(String name) {
        return new ProducerRecord<>(events, 0, null, utf8(name));
    }

    private ProducerRecord<byte[], byte[]> mark(String name) {
        return new ProducerRecord<>(marks, 0, utf8(name), utf8("redriven"));
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
