package dev.trackpipeline.replay;

import java.time.Duration;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes redriven records with their marks, each chunk of letters in one Kafka transaction: a
 * letter is redriven and marked together, or neither. Every redrive uses one transactional id, so
 * a run that starts fences any run still going ({@link #start}); the fenced run's open transaction
 * is aborted and nothing it had not committed counts. Consumers read with
 * {@code isolation.level=read_committed}, so they never apply an aborted record, and they read
 * nothing past the first record of an open transaction on its partitions, the gateway's records
 * included: a transaction is kept short ({@link #COMMIT_AFTER}), and one left open by a killed run
 * ends within {@link #TRANSACTION_TIMEOUT}.
 */
final class RedriveTransactions implements AutoCloseable {

    static final String TRANSACTIONAL_ID = "track-redrive";
    /** Large enough to cost little; the consumers wait on the partitions of the open transaction meanwhile. */
    static final int LETTERS_PER_TRANSACTION = 200;
    /**
     * A transaction with letters commits after this long however few they are: a scan over many
     * letters it leaves out would otherwise keep the consumers waiting, and reach the timeout.
     */
    static final Duration COMMIT_AFTER = Duration.ofSeconds(2);
    /**
     * Set, not Kafka's default of a minute: the consumers wait this long (plus the broker's check
     * for timed-out transactions, 10 s by default) behind a transaction a killed run left open. A
     * run commits every {@link #COMMIT_AFTER}, so only a Kafka that blocks a send or a commit this
     * long times one out.
     */
    static final Duration TRANSACTION_TIMEOUT = Duration.ofSeconds(15);
    /** Letters larger than the producer's default of 1 MB exist under raised limits; the topics decide what fits. */
    private static final int MAX_REQUEST_BYTES = 64 * 1024 * 1024;

    private final KafkaProducer<byte[], byte[]> producer;
    private final Duration commitAfter;
    private final LongSupplier nanoTime;
    private final Thread abortOnShutdown;
    private int open;
    private long openedAt;
    private long committed;

    private RedriveTransactions(KafkaProducer<byte[], byte[]> producer, Duration commitAfter, LongSupplier nanoTime) {
        this.producer = producer;
        this.commitAfter = commitAfter;
        this.nanoTime = nanoTime;
        this.abortOnShutdown = new Thread(this::abortOnShutdown, "redrive-abort-on-shutdown");
    }

    static RedriveTransactions start(Map<String, Object> clientConfig, Duration timeout) {
        RedriveTransactions transactions = start(clientConfig, timeout, COMMIT_AFTER, System::nanoTime);
        // Ctrl-C or SIGTERM: the open transaction is aborted at once rather than left to the timeout.
        Runtime.getRuntime().addShutdownHook(transactions.abortOnShutdown);
        return transactions;
    }

    /**
     * A producer whose transactions count from now on. Any earlier run with the same id is fenced
     * here, and its open transaction completed (aborted, or committed if it was committing) before
     * this returns, so marks read after it include everything that run committed.
     */
    static RedriveTransactions start(Map<String, Object> clientConfig, Duration timeout, Duration commitAfter, LongSupplier nanoTime) {
        Map<String, Object> config = new java.util.HashMap<>(clientConfig);
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, TRANSACTIONAL_ID);
        config.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) TRANSACTION_TIMEOUT.toMillis());
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
        return new RedriveTransactions(producer, commitAfter, nanoTime);
    }

    /** Sends a redriven record and its mark in the open transaction, then commits it if it is due ({@link #commitIfDue}). */
    void send(ProducerRecord<byte[], byte[]> redriven, ProducerRecord<byte[], byte[]> mark) {
        if (open == 0) {
            producer.beginTransaction();
            openedAt = nanoTime.getAsLong();
        }
        producer.send(redriven);
        producer.send(mark);
        open++;
        commitIfDue();
    }

    /**
     * Commits the open transaction once it holds {@link #LETTERS_PER_TRANSACTION} or has been open
     * for the commit interval; asked for every letter read, taken or not.
     */
    void commitIfDue() {
        if (open >= LETTERS_PER_TRANSACTION || (open > 0 && openFor().compareTo(commitAfter) >= 0)) {
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

    /**
     * What a failed transaction means: nothing of it counts (neither redriven nor marked), what was
     * committed before does. A transaction taken from this run is said as such, since running again
     * at once would only race the other run; Kafka aborts one that stayed open past its timeout the
     * same way, which the time it was open tells apart.
     */
    ReplayException notCommitted(KafkaException failure) {
        String before = RedriveTally.letters(committed) + " redriven and marked before stand";
        String lost = "the " + RedriveTally.letters(open) + " of its open transaction are neither redriven nor marked; " + before;
        if (fenced(failure) && open > 0 && openFor().compareTo(TRANSACTION_TIMEOUT) >= 0) {
            return new ReplayException(ReplayException.UNAVAILABLE, "the transaction was open for " + openFor().toSeconds()
                    + " s, past Kafka's transaction timeout (" + TRANSACTION_TIMEOUT.toSeconds() + " s), so Kafka aborted it (or "
                    + "another redrive took over): this run stopped, and " + lost + ". Kafka was slow to take the letters: "
                    + "running again redrives only the rest");
        }
        if (fenced(failure)) {
            return new ReplayException(ReplayException.UNAVAILABLE, "another redrive started and took over (transactional id "
                    + TRANSACTIONAL_ID + "): this one stopped, and " + lost + ". Let the other run finish, then --dry-run shows "
                    + "what is left");
        }
        return new ReplayException(ReplayException.UNAVAILABLE, "Kafka did not commit the transaction of "
                + RedriveTally.letters(open) + " with their marks (" + failure.getClass().getSimpleName() + ": "
                + failure.getMessage() + "): none of them is redriven nor marked; " + before + ", and running again redrives "
                + "only the rest");
    }

    /** Whether the failure says that this run's producer lost its epoch: another redrive started, or Kafka timed the transaction out. */
    static boolean fenced(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ProducerFencedException || cause instanceof InvalidProducerEpochException) {
                return true;
            }
        }
        return false;
    }

    private Duration openFor() {
        return Duration.ofNanos(nanoTime.getAsLong() - openedAt);
    }

    /**
     * Run by the JVM on Ctrl-C or SIGTERM while the command may still be sending: closing the
     * producer with time to spare aborts its open transaction (Kafka's producer does so on a
     * graceful close), so the consumers go on at once instead of after the timeout.
     */
    void abortOnShutdown() {
        producer.close(Duration.ofSeconds(5));
    }

    /** Aborts a transaction left open by a failure: none of its letters counts. */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(abortOnShutdown);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // Shutting down already (the hook runs or ran), or a test's instance without the hook.
        }
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
