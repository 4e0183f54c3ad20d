package dev.trackpipeline.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trackpipeline.model.Outcome;
import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.model.event.EventValidator;
import dev.trackpipeline.model.ingest.IngestLimits;
import dev.trackpipeline.model.kafka.EventRecordReader;
import dev.trackpipeline.model.kafka.TrackHeaders;
import dev.trackpipeline.runtime.ConsumedBatch.Consumed;
import dev.trackpipeline.runtime.EventStore.Refusal;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import org.springframework.util.unit.DataSize;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Status;

/**
 * A batch ends with every record stored or dead-lettered, or it throws an outage and is polled
 * again whole; no record ever takes its neighbours along.
 */
class ConsumedBatchTest {

    static final long RECEIVED_AT = 1_795_642_106_952L;
    static final TrackProperties.Consumer SETTINGS = new TrackProperties.Consumer(3, Duration.ofMillis(1), Duration.ofMinutes(2),
            DataSize.ofMegabytes(48), Duration.ofSeconds(15));

    /** The store's outages in these tests: {@link StoreDown}, and nothing else. */
    static final class StoreDown extends RuntimeException {
        StoreDown() {
            super("connection refused");
        }
    }

    final List<DeadLetter> deadLetters = new ArrayList<>();
    final List<String> stored = new ArrayList<>();
    final List<Integer> storeCallSizes = new ArrayList<>();
    boolean storeTakesProbe = true;
    int probes = 0;
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final ConsumerProgress progress = new ConsumerProgress(meters, Clock.systemUTC(), Duration.ofMinutes(2));
    final StoreOutages outages = new StoreOutages() {
        @Override
        public boolean isOutage(Throwable failure) {
            return StoreOutages.anyCause(failure, StoreDown.class::isInstance);
        }

        @Override
        public boolean takesWrites() {
            probes++;
            return storeTakesProbe;
        }
    };
    /** The group these tests consume as, as the listener thread would name it. */
    static final String GROUP = "track-writer";
    final RedrivenRecords redriven = new RedrivenRecords(() -> GROUP, meters);
    final ConsumedBatch batch = new ConsumedBatch(
            new EventRecordReader(new EventValidator(new EventFamilies()), IngestLimits.DEFAULTS), outages,
            deadLetters::addAll, progress, SETTINGS, redriven);

    @Test
    void storesTheReadableRecordsAndDeadLettersTheUnreadableOneWithItsReason() {
        var records = List.of(event(0, "first"), record(1, "{\"type\":\"custom\"}", Map.of(TrackHeaders.EVENT_ID, "x")), event(2, "third"));

        batch.store(records, storing(message -> false));

        assertThat(stored).containsExactly("first", "third");
        assertThat(deadLetters).singleElement().satisfies(letter -> {
            assertThat(letter.record().offset()).isEqualTo(1);
            assertThat(letter.outcome()).isEqualTo(Outcome.MISSING_METADATA);
            assertThat(letter.reason()).isEqualTo("header track-received-at: is missing");
        });
    }

    @Test
    void narrowsAnUnexpectedFailureDownToTheRecordThatCausesItAndStoresTheRest() {
        var records = new ArrayList<ConsumerRecord<String, byte[]>>();
        for (int offset = 0; offset < 9; offset++) {
            records.add(event(offset, offset == 5 ? "poison" : "event-" + offset));
        }

        batch.store(records, storing(message -> message.equals("poison")));

        assertThat(stored).containsExactlyInAnyOrder("event-0", "event-1", "event-2", "event-3", "event-4", "event-6", "event-7", "event-8");
        assertThat(deadLetters).singleElement().satisfies(letter -> {
            assertThat(letter.record().offset()).isEqualTo(5);
            assertThat(letter.outcome()).isEqualTo(Outcome.UNSTORABLE);
            assertThat(letter.reason()).isEqualTo("storing this record alone failed: IllegalArgumentException: cannot store poison");
        });
        // The whole batch, halves down to the poison alone (9 = 4 + 5, 5 = 2 + 3, 2 = 1 + 1), then the poison alone twice more.
        assertThat(storeCallSizes).containsExactly(9, 4, 5, 2, 1, 1, 3, 1, 1);
        assertThat(progress.health().getStatus()).isEqualTo(Status.UP);
    }

    @Test
    void deadLettersAFailingRecordAtOnceWhenTheStoreCannotTakeItLaterThanItsNeighbours() {
        batch.store(List.of(event(0, "first"), event(1, "poison"), event(2, "third")),
                EventStore.failingAloneIsFinal(storing(message -> message.equals("poison"))));

        assertThat(stored).containsExactlyInAnyOrder("first", "third");
        assertThat(deadLetters).singleElement().satisfies(letter -> assertThat(letter.record().offset()).isEqualTo(1));
        // The whole batch, then 3 = 1 + 2, 2 = 1 + 1; the poison is not offered again.
        assertThat(storeCallSizes).containsExactly(3, 1, 2, 1, 1);
    }

    @Test
    void offersARecordTheStoreRefusedAgainAFewTimesThenDeadLettersIt() {
        List<Integer> offered = new ArrayList<>();
        EventStore refusingTheSecond = events -> {
            List<Refusal> refused = new ArrayList<>();
            for (Consumed event : events) {
                if (message(event).equals("conflict")) {
                    offered.add(1);
                    refused.add(Refusal.byStore(event, "E11000 duplicate key"));
                } else {
                    stored.add(message(event));
                }
            }
            return refused;
        };

        batch.store(List.of(event(0, "first"), event(1, "conflict"), event(2, "third")), refusingTheSecond);

        assertThat(offered).hasSize(3);
        assertThat(stored).containsExactly("first", "third");
        assertThat(deadLetters).singleElement().satisfies(letter -> {
            assertThat(letter.outcome()).isEqualTo(Outcome.REFUSED_BY_STORE);
            assertThat(letter.reason()).isEqualTo("E11000 duplicate key");
        });
    }

    /** A poll of hostile events could hold trees fifty times its bytes; it is stored in parts instead. */
    @Test
    void storesAPollWhoseTreesWouldTakeMoreThanTheBudgetInPartsInOrder() {
        // Each of these events may take at most 4,692 bytes of tree (6 values, 1,746 bytes); the budget holds two.
        ConsumedBatch smallBudget = new ConsumedBatch(
                new EventRecordReader(new EventValidator(new EventFamilies()), IngestLimits.DEFAULTS), outages, deadLetters::addAll,
                progress, new TrackProperties.Consumer(3, Duration.ofMillis(1), Duration.ofMinutes(2), DataSize.ofBytes(10_000), Duration.ofSeconds(15)),
                redriven);
        var records = new ArrayList<ConsumerRecord<String, byte[]>>();
        for (int offset = 0; offset < 5; offset++) {
            records.add(event(offset, "event-" + offset + "-" + "x".repeat(1_650)));
        }

        smallBudget.store(records, storing(message -> false));

        assertThat(storeCallSizes).containsExactly(2, 2, 1);
        assertThat(stored).hasSize(5).isSortedAccordingTo(java.util.Comparator.naturalOrder());
    }

    @Test
    void deadLettersAnUnstorableRecordAtOnce() {
        List<Integer> offered = new ArrayList<>();
        EventStore tooLarge = events -> events.stream().filter(event -> message(event).equals("huge"))
                .peek(event -> offered.add(1)).map(event -> Refusal.unstorable(event, "larger than MongoDB stores")).toList();

        batch.store(List.of(event(0, "huge")), tooLarge);

        assertThat(offered).hasSize(1);
        assertThat(deadLetters).singleElement().satisfies(letter -> assertThat(letter.outcome()).isEqualTo(Outcome.UNSTORABLE));
    }

    @Test
    void throwsAnOutageWithoutDeadLetteringAnythingAndReportsTheConsumerFailing() {
        var records = List.of(event(0, "first"), event(1, "second"));

        assertThatThrownBy(() -> batch.store(records, events -> {
            throw new StoreDown();
        })).isInstanceOf(StoreDown.class);

        assertThat(deadLetters).isEmpty();
        assertThat(meters.get("track.consume.failing").gauge().value()).isGreaterThanOrEqualTo(0);
        assertThat(meters.get("track.consume.oldest.unstored").gauge().value()).isPositive();
        assertThat(progress.health().getDetails()).containsEntry("attempts", 1)
                .containsEntry("lastFailure", "StoreDown: connection refused");

        batch.store(records, storing(message -> false));

        assertThat(stored).containsExactly("first", "second");
        assertThat(progress.health().getDetails()).isEmpty();
        assertThat(meters.get("track.consume.oldest.unstored").gauge().value()).isZero();
    }

    @Test
    void aPoisonRecordDuringAnOutageTakesNoNeighbourAlongOnceTheStoreIsBack() {
        var records = List.of(event(0, "first"), record(1, "not json", Map.of()), event(2, "poison"), event(3, "fourth"));
        boolean[] down = {true};
        EventStore store = events -> {
            if (down[0]) {
                throw new StoreDown();
            }
            return storing(message -> message.equals("poison")).store(events);
        };

        assertThatThrownBy(() -> batch.store(records, store)).isInstanceOf(StoreDown.class);
        assertThat(deadLetters).isEmpty();
        down[0] = false;
        batch.store(records, store);

        assertThat(stored).containsExactly("first", "fourth");
        assertThat(deadLetters).extracting(letter -> letter.record().offset()).containsExactly(1L, 2L);
    }

    @Test
    void waitsInsteadOfDeadLetteringWhenRecordsFailForNoKnownReasonAndTheStoreDoesNotAnswer() {
        storeTakesProbe = false;

        assertThatThrownBy(() -> batch.store(List.of(event(0, "a"), event(1, "b")), events -> {
            throw new IllegalStateException("an unexpected kind of socket trouble");
        })).isInstanceOf(ConsumedBatch.StoreTakesNoWritesException.class)
                .hasMessageContaining("IllegalStateException: an unexpected kind of socket trouble");

        assertThat(deadLetters).isEmpty();
    }

    /**
     * The apikey is public: anyone who finds an event that fails alone can post six at once, and a
     * quiet partition polls them alone. The store took the probe write, so they are bad records, not
     * an outage, and the consumer goes on. (This used to be taken for an outage from four records up,
     * which halted the partition for good.)
     */
    @Test
    void deadLettersEveryRecordOfAPollThatFailAloneWhenTheStoreTakesAProbeWrite() {
        var records = new ArrayList<ConsumerRecord<String, byte[]>>();
        for (int offset = 0; offset < 6; offset++) {
            records.add(event(offset, "poison-" + offset));
        }

        batch.store(records, storing(message -> message.startsWith("poison")));

        assertThat(deadLetters).hasSize(6).allSatisfy(letter -> {
            assertThat(letter.outcome()).isEqualTo(Outcome.UNSTORABLE);
            assertThat(letter.reason()).startsWith("storing this record alone failed: IllegalArgumentException: cannot store poison-");
        });
        assertThat(deadLetters).extracting(letter -> letter.record().offset()).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
        assertThat(probes).isEqualTo(1);
        assertThat(progress.health().getStatus()).isEqualTo(Status.UP);
    }

    /** Rights revoked, a quota, a read-only server: it may answer pings, but it fails every write, the probe's too. */
    @Test
    void waitsInsteadOfDeadLetteringWhenRecordsFailAloneAndTheStoreTakesNoProbeWrite() {
        storeTakesProbe = false;
        var records = new ArrayList<ConsumerRecord<String, byte[]>>();
        for (int offset = 0; offset < 6; offset++) {
            records.add(event(offset, "event-" + offset));
        }

        assertThatThrownBy(() -> batch.store(records, storing(message -> true)))
                .isInstanceOf(ConsumedBatch.StoreTakesNoWritesException.class)
                .hasMessageStartingWith("an event failed alone for no known reason and the store does not take a probe write")
                .hasMessageContaining("storing this record alone failed: IllegalArgumentException: cannot store event-0");

        assertThat(deadLetters).isEmpty();
        assertThat(progress.health().getDetails()).containsEntry("attempts", 1);
    }

    /**
     * The aggregator keeps a per-partition progress marker: a record stored after one that failed
     * alone moves it past the failed one, and when the batch is polled again after the outage the
     * failed record is taken for one already counted. So the store is asked as soon as the first
     * record fails alone, and an outage stops the batch before any later record is applied.
     */
    @Test
    void asksTheStoreAsSoonAsARecordFailsAloneAndAppliesNoLaterRecordWhenItTakesNoWrites() {
        storeTakesProbe = false;
        var records = List.of(event(0, "first"), event(1, "fails"), event(2, "third"), event(3, "fourth"));

        assertThatThrownBy(() -> batch.store(records, storing(message -> message.equals("fails"))))
                .isInstanceOf(ConsumedBatch.StoreTakesNoWritesException.class);

        assertThat(stored).as("applied, in order").containsExactly("first");
        assertThat(probes).isEqualTo(1);
        assertThat(deadLetters).isEmpty();
    }

    /** One probe a batch: its answer stands for every record that fails alone in it, on every attempt. */
    @Test
    void asksTheStoreOnceABatchHoweverManyRecordsFailAloneAndAppliesTheRestInOrder() {
        var records = List.of(event(0, "bad-0"), event(1, "good-1"), event(2, "bad-2"), event(3, "good-3"));

        batch.store(records, storing(message -> message.startsWith("bad")));

        assertThat(stored).containsExactly("good-1", "good-3");
        assertThat(deadLetters).extracting(letter -> letter.record().offset()).containsExactly(0L, 2L);
        assertThat(probes).isEqualTo(1);
    }

    /** A probe write costs a round trip: a batch the store takes whole, or refuses for known reasons, needs none. */
    @Test
    void probesTheStoreOnlyWhenRecordsFailAloneForNoKnownReason() {
        EventStore refusingOne = events -> events.stream().filter(event -> message(event).equals("huge"))
                .map(event -> Refusal.unstorable(event, "larger than MongoDB stores")).toList();

        batch.store(List.of(event(0, "first"), event(1, "second")), storing(message -> false));
        batch.store(List.of(event(2, "huge")), refusingOne);

        assertThat(probes).isZero();
        assertThat(deadLetters).singleElement().satisfies(letter -> assertThat(letter.record().offset()).isEqualTo(2));
    }

    @Test
    void deadLettersAFewRecordsThatAllFailAloneAsTheBadRecordsTheyMayBe() {
        batch.store(List.of(event(0, "a"), event(1, "b")), storing(message -> true));

        assertThat(deadLetters).hasSize(2);
    }

    @Test
    void throwsWhenTheDeadLettersCannotBePublishedSoTheBatchIsPolledAgain() {
        ConsumedBatch withKafkaDown = new ConsumedBatch(
                new EventRecordReader(new EventValidator(new EventFamilies()), IngestLimits.DEFAULTS), outages,
                letters -> {
                    throw new org.apache.kafka.common.KafkaException("dead-letter topic unreachable");
                }, progress, SETTINGS, redriven);

        assertThatThrownBy(() -> withKafkaDown.store(List.of(record(0, "not json", Map.of())), storing(message -> false)))
                .hasMessage("dead-letter topic unreachable");
        assertThat(progress.health().getDetails()).containsEntry("attempts", 1);
    }

    /**
     * A letter redriven for the aggregator is not the writer's to store again, and the reverse: the
     * group that did not give up on it holds it already (the aggregator would count it twice).
     */
    @Test
    void skipsARecordRedrivenForAnotherGroupAndAppliesOneRedrivenForItsOwn() {
        var records = List.of(event(0, "first"), redrivenFor(event(1, "for-the-aggregator"), "track-aggregator"),
                redrivenFor(event(2, "for-the-writer"), GROUP), event(3, "fourth"));

        batch.store(records, storing(message -> false));

        assertThat(stored).containsExactly("first", "for-the-writer", "fourth");
        assertThat(deadLetters).isEmpty();
        assertThat(meters.get(dev.trackpipeline.model.metrics.TrackMeters.CONSUME_REDRIVEN_ELSEWHERE).tag("topic", "track.custom")
                .counter().count()).isEqualTo(1);
        assertThat(progress.health().getStatus()).isEqualTo(Status.UP);
    }

    /** A record skipped as redriven elsewhere is never read, so even an unreadable one is no dead letter of this group's. */
    @Test
    void skipsARecordRedrivenForAnotherGroupUnreadAndWithoutDeadLetteringIt() {
        var records = List.of(redrivenFor(record(0, "not json", Map.of()), "track-aggregator"),
                redrivenFor(record(1, "not json either", Map.of()), ""));

        batch.store(records, storing(message -> false));

        assertThat(deadLetters).isEmpty();
        assertThat(storeCallSizes).isEmpty();
        assertThat(meters.get(dev.trackpipeline.model.metrics.TrackMeters.CONSUME_REDRIVEN_ELSEWHERE).counter().count()).isEqualTo(2);
    }

    /** Off a listener thread no group is known, and a redrive names one: the record is not this consumer's. */
    @Test
    void aConsumerThatCannotNameItsGroupSkipsEveryRedrivenRecordAndAppliesTheRest() {
        ConsumedBatch noGroup = new ConsumedBatch(new EventRecordReader(new EventValidator(new EventFamilies()), IngestLimits.DEFAULTS),
                outages, deadLetters::addAll, progress, SETTINGS, new RedrivenRecords(() -> null, meters));

        noGroup.store(List.of(redrivenFor(event(0, "redriven"), GROUP), event(1, "plain")), storing(message -> false));

        assertThat(stored).containsExactly("plain");
    }

    private static ConsumerRecord<String, byte[]> redrivenFor(ConsumerRecord<String, byte[]> record, String group) {
        record.headers().add(TrackHeaders.REDRIVE_GROUP, group.getBytes(StandardCharsets.UTF_8));
        record.headers().add(TrackHeaders.REDRIVEN_FROM, "track.dead-letter:0:7".getBytes(StandardCharsets.UTF_8));
        return record;
    }

    private EventStore storing(Predicate<String> poison) {
        return events -> {
            storeCallSizes.add(events.size());
            for (Consumed event : events) {
                if (poison.test(message(event))) {
                    throw new IllegalArgumentException("cannot store " + message(event));
                }
            }
            events.forEach(event -> stored.add(message(event)));
            return List.of();
        };
    }

    private static String message(Consumed event) {
        return event.event().event().get("message").stringValue();
    }

    private static ConsumerRecord<String, byte[]> event(long offset, String message) {
        String json = "{\"type\":\"custom\",\"apikey\":\"demo-project\",\"uuid\":\"s-1\",\"time\":" + RECEIVED_AT
                + ",\"message\":\"" + message + "\"}";
        return record(offset, json, Map.of(TrackHeaders.EVENT_ID, "event-" + offset, TrackHeaders.RECEIVED_AT, String.valueOf(RECEIVED_AT)));
    }

    private static ConsumerRecord<String, byte[]> record(long offset, String value, Map<String, String> headers) {
        var recordHeaders = new RecordHeaders();
        headers.forEach((name, text) -> recordHeaders.add(name, text.getBytes(StandardCharsets.UTF_8)));
        return new ConsumerRecord<>("track.custom", 0, offset, RECEIVED_AT, TimestampType.CREATE_TIME, -1, -1, "demo-project:s-1",
                value.getBytes(StandardCharsets.UTF_8), recordHeaders, java.util.Optional.empty());
    }
}
