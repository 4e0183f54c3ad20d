package dev.trackpipeline.runtime;

import dev.trackpipeline.model.ingest.TreeCost;
import dev.trackpipeline.model.kafka.EventRecord;
import dev.trackpipeline.model.kafka.EventRecordReader;
import dev.trackpipeline.model.kafka.InvalidRecordException;
import dev.trackpipeline.model.kafka.TrackHeaders;
import dev.trackpipeline.runtime.EventStore.Refusal;
import dev.trackpipeline.runtime.EventStore.RefusalKind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a polled batch from Kafka to a store, so that no record can stop the others: the batch
 * either ends with every record stored or dead-lettered, and its offsets may be committed, or it
 * throws an outage and is polled again whole. In order:
 * <ol>
 *   <li>each record is read and validated; one that can never be stored is set aside for the
 *       dead-letter topic;</li>
 *   <li>the others go to the store together. If the store throws something that is not an
 *       outage, the batch is split in halves until the records that cause it are found alone,
 *       so the rest is stored;</li>
 *   <li>records the store refused while up are offered again a few times;</li>
 *   <li>what is left is published to the dead-letter topic, and only then does the batch end.</li>
 * </ol>
 * A record redriven from the dead-letter topic for another consumer group is skipped before the
 * first step ({@link RedrivenRecords}).
 * An outage at any step (the store, or Kafka for the dead letters) is thrown, so nothing is
 * committed and the error handler polls the batch again until the store is back. Storing twice is
 * harmless: both stores recognise what they already hold.
 */
public final class ConsumedBatch {

    private static final Logger log = LoggerFactory.getLogger(ConsumedBatch.class);
    private final EventRecordReader reader;
    private final StoreOutages outages;
    private final DeadLetters deadLetters;
    private final ConsumerProgress progress;
    private final TrackProperties.Consumer settings;
    private final RedrivenRecords redriven;

    public ConsumedBatch(EventRecordReader reader, StoreOutages outages, DeadLetters deadLetters, ConsumerProgress progress,
                         TrackProperties.Consumer settings, RedrivenRecords redriven) {
        this.reader = reader;
        this.redriven = redriven;
        this.outages = outages;
        this.deadLetters = deadLetters;
        this.progress = progress;
        this.settings = settings;
    }

    /** A record and the event read from it. */
    public record Consumed(ConsumerRecord<String, byte[]> record, EventRecord event) {
    }

    public void store(List<ConsumerRecord<String, byte[]>> records, EventStore store) {
        progress.began();
        try {
            settle(records, store);
        } catch (RuntimeException failure) {
            progress.failed(failure, oldestReceivedAt(records));
            throw failure;
        }
        progress.progressed();
    }

    /**
     * Reads and stores the records in parts whose trees stay within
     * {@code track.consumer.max-trees-bytes}: a poll of hostile events (up to 500 records, each a
     * tree fifty times its bytes) must not run the consumer out of heap. Parts follow the records'
     * order, so a partition's offsets only grow from one part to the next.
     */
    private void settle(List<ConsumerRecord<String, byte[]>> records, EventStore store) {
        List<DeadLetter> givenUp = new ArrayList<>();
        BatchWriteProbe probe = new BatchWriteProbe(outages);
        List<Consumed> part = new ArrayList<>();
        long partTrees = 0;
        for (ConsumerRecord<String, byte[]> record : records) {
            if (redriven.skipsAsRedrivenElsewhere(record)) {
                continue;
            }
            long trees = record.value() == null ? 0 : TreeCost.ofJson(record.value());
            if (!part.isEmpty() && partTrees + trees > settings.maxTreesBytes().toBytes()) {
                storePart(part, store, givenUp, probe);
                part = new ArrayList<>();
                partTrees = 0;
            }
            try {
                part.add(new Consumed(record, reader.read(name -> headerOf(record, name), record.value())));
                partTrees += trees;
            } catch (InvalidRecordException invalid) {
                givenUp.add(new DeadLetter(record, invalid.outcome(), invalid.getMessage()));
            }
        }
        storePart(part, store, givenUp, probe);
        deadLetters.publish(givenUp);
    }

    private void storePart(List<Consumed> part, EventStore store, List<DeadLetter> givenUp, BatchWriteProbe probe) {
        if (!part.isEmpty()) {
            for (Refusal refusal : storeOfferingRefusedAgain(part, store, probe)) {
                givenUp.add(new DeadLetter(refusal.event().record(), refusal.kind().outcome(), refusal.reason()));
            }
        }
    }

    /** @return the refusals that stand after the last attempt */
    private List<Refusal> storeOfferingRefusedAgain(List<Consumed> events, EventStore store, BatchWriteProbe probe) {
        List<Refusal> standing = new ArrayList<>();
        List<Consumed> pending = events;
        for (int attempt = 1; !pending.isEmpty(); attempt++) {
            List<Consumed> again = new ArrayList<>();
            for (Refusal refusal : storeIsolatingFailures(pending, store, probe)) {
                if (store.offersAgain(refusal) && attempt < settings.refusedAttempts()) {
                    again.add(refusal.event());
                } else {
                    standing.add(refusal);
                }
            }
            if (!again.isEmpty()) {
                log.info("The store did not take {} of {} events (attempt {} of {}); offering them again in {}", again.size(),
                        pending.size(), attempt, settings.refusedAttempts(), settings.refusedBackoff());
                pause(settings.refusedBackoff());
            }
            pending = again;
        }
        return standing;
    }

    /**
     * Stores the events. A failure that is no outage is narrowed down by halves to the events that
     * cause it, each refused with the failure as its reason.
     * <p>
     * A record that failed alone for no known reason is a bad record or a store that takes no writes
     * (rights revoked, a quota, read-only), which its failures do not always tell apart; counting such
     * records cannot either, since anyone may post a few events of a shape that fails. So the store
     * is asked ({@link BatchWriteProbe}) as soon as the first record fails alone, before any later
     * record is stored: the aggregator's per-partition progress would otherwise move past the failed
     * record, and the batch polled again after the outage would find it 'seen' and neither count nor
     * dead-letter it.
     */
    private List<Refusal> storeIsolatingFailures(List<Consumed> events, EventStore store, BatchWriteProbe probe) {
        try {
            return store.store(events);
        } catch (RuntimeException failure) {
            if (outages.isOutage(failure)) {
                throw failure;
            }
            if (events.size() == 1) {
                String reason = "storing this record alone failed: " + describe(failure);
                if (!probe.takesWrites()) {
                    throw new StoreTakesNoWritesException(reason);
                }
                return List.of(new Refusal(events.get(0), RefusalKind.FAILED_ALONE, reason));
            }
            log.warn("Storing {} events failed ({}); narrowing it down to the events that cause it", events.size(), describe(failure));
            int half = events.size() / 2;
            List<Refusal> refused = new ArrayList<>(storeIsolatingFailures(events.subList(0, half), store, probe));
            refused.addAll(storeIsolatingFailures(events.subList(half, events.size()), store, probe));
            return refused;
        }
    }

    private static String describe(Throwable failure) {
        return failure.getClass().getSimpleName() + ": " + failure.getMessage();
    }

    private static void pause(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to offer refused events again", e);
        }
    }

    private static Optional<Instant> oldestReceivedAt(List<ConsumerRecord<String, byte[]>> records) {
        return records.stream().map(record -> headerOf(record, TrackHeaders.RECEIVED_AT)).flatMap(Optional::stream)
                .map(ConsumedBatch::epochMillis).flatMap(Optional::stream).min(Comparator.naturalOrder());
    }

    private static Optional<Instant> epochMillis(String text) {
        try {
            return Optional.of(Instant.ofEpochMilli(Long.parseLong(text)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> headerOf(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return EventRecordReader.utf8(header == null ? null : header.value());
    }

    /** An event failed alone for no known reason and the store did not take a probe write: an outage, not a bad event. */
    static final class StoreTakesNoWritesException extends RuntimeException {

        StoreTakesNoWritesException(String reason) {
            super("an event failed alone for no known reason and the store does not take a probe write either: waiting "
                    + "for it instead of dead-lettering the event (" + reason + ")");
        }
    }

    /** The store's answer to a probe write, asked at most once per batch: one round trip however many records fail alone. */
    private static final class BatchWriteProbe {

        private final StoreOutages outages;
        private Boolean answer;

        BatchWriteProbe(StoreOutages outages) {
            this.outages = outages;
        }

        boolean takesWrites() {
            if (answer == null) {
                answer = outages.takesWrites();
            }
            return answer;
        }
    }
}
