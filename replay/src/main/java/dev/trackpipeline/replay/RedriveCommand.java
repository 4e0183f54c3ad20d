package dev.trackpipeline.replay;

import dev.trackpipeline.model.Outcome;
import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.model.kafka.TopicNames;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "redrive", mixinStandardHelpOptions = true,
        description = {"Put dead letters back on their event topics once what made a consumer give up on them is fixed. Each is",
                "applied only by the consumer group that dead-lettered it (the other skips it: it holds or counted the record",
                "already), and only once: each letter is redriven and marked in track.dead-letter-redriven in one Kafka",
                "transaction, and a redrive started beside this one fences it. Letters of a group that does not consume their",
                "topic (renamed? --as-group) are left out, with a non-zero exit. Reads the dead-letter topic up to where it",
                "ended when the command started. --dry-run lists what would be redriven."})
final class RedriveCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--group", split = ",",
            description = "Only letters of these consumer groups: writer, aggregator, or a group's name (default: all; each letter goes to its own group).")
    List<String> groups = new ArrayList<>();

    @Option(names = "--as-group", description = "Redrive the letters of the one --group for this group instead, e.g. the writer's group "
            + "after track.writer.group-id was changed: the redriven records name it.")
    String asGroup;

    @Option(names = "--outcome", split = ",", description = "Only letters with these outcomes, e.g. unstorable,refused_by_store (default: all but "
            + "invalid_json, invalid_event and missing_metadata, which no redrive can store).")
    List<String> outcomes = new ArrayList<>();

    @Option(names = "--topic", split = ",", description = "Only letters whose record came from these event topics, e.g. track.error.")
    List<String> topics = new ArrayList<>();

    @Option(names = "--reason-contains", description = "Only letters whose reason contains this text.")
    String reasonContains;

    @Option(names = "--from", converter = TimeArgument.class, description = "Only letters dead-lettered at or after this time (ISO-8601 or epoch ms).")
    Instant from;

    @Option(names = "--to", converter = TimeArgument.class, description = "Only letters dead-lettered before this time (ISO-8601 or epoch ms).")
    Instant to;

    @Option(names = "--again", description = "Redrive letters that were redriven before too (the writer stores each event once; the "
            + "aggregator counts one redriven again more than its dedup window later a second time).")
    boolean again;

    @Option(names = "--dry-run", description = "List what would be redriven, counted by group, topic, outcome and reason; publish nothing.")
    boolean dryRun;

    @Override
    public Integer call() throws Exception {
        RedriveSelection selection = selection();
        Optional<String> targetGroup = targetGroup(selection);
        if (from != null && to != null && !from.isBefore(to)) {
            throw new ReplayException(ReplayException.USAGE, "--from must be before --to");
        }
        TopicNames names = TopicNames.defaults();
        Set<String> eventTopics = Set.copyOf(names.eventTopics(new EventFamilies()));
        RedriveLog log = new RedriveLog(names.redriven(), kafka.timeout());
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        RedriveTally tally = new RedriveTally();
        try (Admin admin = Admin.create(kafka.clientConfig()); KafkaConsumer<byte[], byte[]> consumer = kafka.consumer()) {
            if (!dryRun) {
                log.create(admin, names.deadLetter());
            }
            // Started before the marks are read: it fences a redrive running beside this one and waits for its last
            // transaction to end, so the marks read next hold everything that run redrove.
            try (RedriveTransactions transactions = dryRun ? null : RedriveTransactions.start(kafka.clientConfig(), kafka.timeout())) {
                Set<String> redriven = again ? new HashSet<>() : log.read(admin, consumer);
                RedriveTargets targets = new RedriveTargets(admin, kafka.timeout());
                Set<String> targetGroups = new java.util.TreeSet<>();
                List<PartitionRange> ranges = ExportRanges.of(consumer, kafka.timeout(), List.of(names.deadLetter()),
                        Optional.ofNullable(from), Optional.ofNullable(to));
                Progress progress = new Progress(err, ranges.stream().mapToLong(PartitionRange::size).sum());
                try {
                    for (DeadLetterRecord letter : (Iterable<DeadLetterRecord>) scan(consumer, ranges, transactions)::iterator) {
                        if (transactions != null) {
                            // Letters left out take time too: the consumers wait on the partitions of the open transaction.
                            transactions.commitIfDue();
                        }
                        Optional<RedriveTally.Left> left = leftOut(letter, selection, eventTopics, redriven);
                        if (left.isPresent()) {
                            tally.left(left.get());
                            continue;
                        }
                        String group = targetGroup.orElse(letter.group().orElseThrow());
                        String topic = letter.source().orElseThrow().topic();
                        if (!targets.consumes(group, topic)) {
                            tally.notConsumed(group, topic);
                            continue;
                        }
                        tally.selected(letter);
                        targetGroups.add(group);
                        String key = letter.redriveKey().orElseThrow();
                        redriven.add(key);
                        if (transactions != null) {
                            var record = RedriveRecords.of(letter, group);
                            transactions.send(record, log.mark(key, letter.position(), topic + ":" + record.partition(), group));
                        }
                        progress.update(tally.read());
                    }
                    if (transactions != null) {
                        transactions.commit();
                    }
                } catch (KafkaException e) {
                    if (transactions == null) {
                        throw e;
                    }
                    throw transactions.notCommitted(e);
                }
                progress.finish();
                tally.printTable(out);
                if (transactions != null) {
                    out.printf("redrove %s to their event topics, each for its own group only (%s)%n", RedriveTally.letters(transactions.committed()),
                            tally.leftOut());
                } else {
                    out.printf("dry run: %s would be redriven (%s); nothing published%n", RedriveTally.letters(tally.selectedCount()), tally.leftOut());
                }
                out.flush();
                for (String group : targetGroups) {
                    targets.noteIfNotRunning(group, err);
                }
                err.flush();
            }
            if (tally.notConsumedCount() > 0) {
                tally.printNotConsumed(err);
                throw new ReplayException(ReplayException.UNAVAILABLE, RedriveTally.letters(tally.notConsumedCount()) + " left out: no "
                        + "consumer group of that name reads their topic, so nobody would apply them (a group renamed since? "
                        + "--group OLD --as-group NEW redrives them for the new name)");
            }
            return 0;
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            throw kafka.unreachable(e);
        }
    }

    /** The group named by --as-group, for the letters of the one group --group names. */
    private Optional<String> targetGroup(RedriveSelection selection) {
        if (asGroup == null) {
            return Optional.empty();
        }
        if (asGroup.isBlank()) {
            throw new ReplayException(ReplayException.USAGE, "--as-group: expected a consumer group's name, got \"\"");
        }
        if (selection.groups().size() != 1) {
            throw new ReplayException(ReplayException.USAGE, "--as-group needs exactly one --group: the old name whose letters go to "
                    + asGroup);
        }
        return Optional.of(RebuildCommand.GROUPS.getOrDefault(asGroup, asGroup));
    }

    /** Why a letter is not redriven, if it is not. */
    private static Optional<RedriveTally.Left> leftOut(DeadLetterRecord letter, RedriveSelection selection, Set<String> eventTopics,
                                                       Set<String> redriven) {
        if (!selection.selects(letter)) {
            return Optional.of(RedriveTally.Left.NOT_SELECTED);
        }
        if (selection.leavesAsNeverStorable(letter)) {
            return Optional.of(RedriveTally.Left.NEVER_STORABLE);
        }
        if (letter.group().isEmpty()) {
            return Optional.of(RedriveTally.Left.NO_GROUP);
        }
        if (letter.source().filter(source -> eventTopics.contains(source.topic())).isEmpty()) {
            return Optional.of(RedriveTally.Left.NO_SOURCE);
        }
        if (letter.record().value() == null) {
            return Optional.of(RedriveTally.Left.VALUE_LEFT_OUT);
        }
        if (redriven.contains(letter.redriveKey().orElseThrow())) {
            return Optional.of(RedriveTally.Left.REDRIVEN_BEFORE);
        }
        return Optional.empty();
    }

    /**
     * The letters of the ranges, in order, read as they are consumed: the topic's ends at the start
     * bound it. The open transaction is committed before each poll, so it never waits on the reading.
     */
    private java.util.stream.Stream<DeadLetterRecord> scan(KafkaConsumer<byte[], byte[]> consumer, List<PartitionRange> ranges,
                                                           RedriveTransactions transactions) {
        if (ranges.isEmpty()) {
            return java.util.stream.Stream.empty();
        }
        Map<TopicPartition, Long> ends = new HashMap<>();
        ranges.forEach(range -> ends.put(range.partition(), range.end()));
        consumer.assign(ends.keySet());
        ranges.forEach(range -> consumer.seek(range.partition(), range.start()));
        Set<TopicPartition> open = new LinkedHashSet<>(ends.keySet());
        return java.util.stream.Stream.generate(() -> {
                    if (transactions != null) {
                        transactions.commit();
                    }
                    List<DeadLetterRecord> letters = new ArrayList<>();
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                        if (record.offset() < ends.get(new TopicPartition(record.topic(), record.partition()))) {
                            letters.add(DeadLetterRecord.of(record));
                        }
                    }
                    open.removeIf(partition -> consumer.position(partition, kafka.timeout()) >= ends.get(partition));
                    return letters;
                })
                .takeWhile(letters -> !letters.isEmpty() || !open.isEmpty())
                .flatMap(List::stream);
    }

    private RedriveSelection selection() {
        Set<String> groupNames = new LinkedHashSet<>();
        for (String group : groups) {
            if (group.isBlank()) {
                throw new ReplayException(ReplayException.USAGE, "--group: expected writer, aggregator or a consumer group's name, got \"\"");
            }
            groupNames.add(RebuildCommand.GROUPS.getOrDefault(group, group));
        }
        Set<String> codes = Arrays.stream(Outcome.values()).map(Outcome::code).collect(java.util.stream.Collectors.toCollection(LinkedHashSet::new));
        for (String outcome : outcomes) {
            if (!codes.contains(outcome)) {
                throw new ReplayException(ReplayException.USAGE, "--outcome: unknown outcome \"" + outcome + "\", expected one of " + codes);
            }
        }
        List<String> eventTopics = TopicNames.defaults().eventTopics(new EventFamilies());
        for (String topic : topics) {
            if (!eventTopics.contains(topic)) {
                throw new ReplayException(ReplayException.USAGE, "--topic: \"" + topic + "\" is no event topic, expected one of " + eventTopics);
            }
        }
        if (reasonContains != null && reasonContains.isEmpty()) {
            throw new ReplayException(ReplayException.USAGE, "--reason-contains: expected some text, got \"\"");
        }
        return new RedriveSelection(groupNames, Set.copyOf(outcomes), Set.copyOf(topics), reasonContains);
    }
}
