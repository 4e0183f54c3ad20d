package dev.trackpipeline.replay;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes redriven records with their marks, each chunk of letters in one Kafka transaction: a
 * letter is redriven and marked together, or neither. Every redrive uses one transactional id, so
 * a run that starts fences any run still going ({@link #start}); the fenced run's open transaction
 * is aborted and nothing it had not committed counts. Consumers read with
 * {@code isolation.level=read_committed}, so they never apply an aborted record.
 */
final class RedriveTransactions implements AutoCloseable {

    static final String TRANSACTIONAL_ID = "track-redrive";
    /** Small enough to commit well within Kafka's transaction timeout (a minute), large enough to cost little. */
    static final int LETTERS_PER_TRANSACTION = 200;
    /** Letters larger than the producer's default of 1 MB exist under raised limits; the topics decide what fits. */
    private static final int MAX_REQUEST_BYTES = 64 * 1024 * 1024;

    private final KafkaProducer<byte[], byte[]> producer;
    private int open;
    private long committed;

    private RedriveTransactions(KafkaProducer<byte[], byte[]> producer) {
        this.producer = producer;
    }

    /**
     * A producer whose transactions count from now on. Any earlier run with the same id is fenced
     * here, and its open transaction completed (aborted, or committed if it was committing) before
     * this returns, so marks read after it include everything that run committed.
     */
    static RedriveTransactions start(Map<String, Object> clientConfig, Duration timeout) {
        Map<String, Object> config = new java.util.HashMap<>(clientConfig);
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, TRANSACTIONAL_ID);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_REQUEST_BYTES);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(timeout.toMillis() * 2, 30_000));
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) timeout.toMillis());
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
        try {
            producer.initTransactions();
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO);
            throw e;
        }
        return new RedriveTransactions(producer);
    }

    /** Sends a redriven record and its mark in the open transaction; commits once it holds {@link #LETTERS_PER_TRANSACTION}. */
    void send(ProducerRecord<byte[], byte[]> redriven, ProducerRecord<byte[], byte[]> mark) {
        if (open == 0) {
            producer.beginTransaction();
        }
        producer.send(redriven);
        producer.send(mark);
        open++;
        if (open >= LETTERS_PER_TRANSACTION) {
            commit();
        }
    }

    /** Commits the open transaction: its letters are redriven and marked. */
    void commit() {
        if (open > 0) {
            producer.commitTransaction();
            committed += open;
            open = 0;
        }
    }

    /** Letters redriven and marked for good. */
    long committed() {
        return committed;
    }

    /** Letters sent in the transaction still open, which count only once it commits. */
    int uncommitted() {
        return open;
    }

    /** Whether the failure says that another redrive started since and took over. */
    static boolean fenced(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ProducerFencedException || cause instanceof InvalidProducerEpochException) {
                return true;
            }
        }
        return false;
    }

    /** Aborts a transaction left open by a failure: none of its letters counts. */
    @Override
    public void close() {
        if (open > 0) {
            try {
                producer.abortTransaction();
            } catch (RuntimeException e) {
                // Fenced or unreachable: the transaction is aborted by Kafka in either case.
            }
        }
        producer.close(Duration.ofSeconds(5));
    }
}
