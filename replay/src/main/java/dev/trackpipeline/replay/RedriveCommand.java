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
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "redrive", mixinStandardHelpOptions = true,
        description = {"Put dead letters back on their event topics once what made a consumer give up on them is fixed. Each is",
                "applied only by the consumer group that dead-lettered it (the other skips it: it holds or counted the record",
                "already), and only once: what is redriven is recorded in track.dead-letter-redriven. Reads the dead-letter",
                "topic up to where it ended when the command started. --dry-run lists what would be redriven."})
final class RedriveCommand implements Callable<Integer> {

    /** Letters larger than the producer's default of 1 MB exist under raised limits; the topics decide what fits. */
    private static final int MAX_REQUEST_BYTES = 64 * 1024 * 1024;

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--group", split = ",",
            description = "Only letters of these consumer groups: writer, aggregator, or a group's name (default: all; each letter goes to its own group).")
    List<String> groups = new ArrayList<>();

    @Option(names = "--outcome", split = ",", description = "Only letters with these outcomes, e.g. unstorable,refused_by_store.")
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
            Set<String> redriven = again ? new HashSet<>() : log.read(admin, consumer);
            List<PartitionRange> ranges = ExportRanges.of(consumer, kafka.timeout(), List.of(names.deadLetter()),
                    Optional.ofNullable(from), Optional.ofNullable(to));
            if (!dryRun) {
                log.create(admin);
            }
            try (KafkaProducer<byte[], byte[]> producer = dryRun ? null : producer()) {
                List<Sent> sent = new ArrayList<>();
                Progress progress = new Progress(err, ranges.stream().mapToLong(PartitionRange::size).sum());
                for (DeadLetterRecord letter : (Iterable<DeadLetterRecord>) scan(consumer, ranges)::iterator) {
                    Optional<RedriveTally.Left> left = leftOut(letter, selection, eventTopics, redriven);
                    if (left.isPresent()) {
                        tally.left(left.get());
                        continue;
                    }
                    tally.selected(letter);
                    redriven.add(letter.redriveKey().orElseThrow());
                    if (producer != null) {
                        sent.add(new Sent(letter.position(), letter.redriveKey().orElseThrow(), letter.source().orElseThrow().toString(),
                                producer.send(RedriveRecords.of(letter))));
                    }
                    progress.update(tally.read());
                }
                progress.finish();
                tally.printTable(out);
                if (producer != null) {
                    int failed = record(producer, log, sent, err);
                    out.printf("redrove %s to their event topics, each for its own group only (%s)%n", RedriveTally.letters(sent.size() - failed),
                            tally.leftOut());
                    out.flush();
                    if (failed > 0) {
                        throw new ReplayException(ReplayException.UNAVAILABLE, RedriveTally.letters(failed) + " could not be redriven (above); "
                                + "the others are, and run again redrives only what is missing");
                    }
                } else {
                    out.printf("dry run: %s would be redriven (%s); nothing published%n", RedriveTally.letters(tally.selectedCount()), tally.leftOut());
                }
            }
            out.flush();
            return 0;
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            throw kafka.unreachable(e);
        }
    }

    /**
     * Waits for every redriven record, then records those Kafka took in the redrive log. A crash
     * before that leaves them unrecorded: a second run redrives them again, which the writer
     * absorbs (same event id) and the aggregator too within its dedup window.
     *
     * @return how many could not be redriven
     */
    private int record(KafkaProducer<byte[], byte[]> producer, RedriveLog log, List<Sent> sent, PrintWriter err) throws Exception {
        producer.flush();
        int failed = 0;
        List<Future<RecordMetadata>> marks = new ArrayList<>();
        for (Sent send : sent) {
            try {
                RecordMetadata to = send.redriven().get(kafka.timeout().toSeconds(), TimeUnit.SECONDS);
                marks.add(producer.send(log.mark(send.key(), send.letter(), to.topic() + ":" + to.partition() + ":" + to.offset())));
            } catch (ExecutionException e) {
                failed++;
                err.printf("could not redrive %s to %s: %s%n", send.letter(), send.source(), e.getCause().getMessage());
            }
        }
        producer.flush();
        for (Future<RecordMetadata> mark : marks) {
            mark.get(kafka.timeout().toSeconds(), TimeUnit.SECONDS);
        }
        err.flush();
        return failed;
    }

    /** A letter on its way back, without its value: a redrive of many large letters must not hold them all. */
    private record Sent(String letter, String key, String source, Future<RecordMetadata> redriven) {
    }

    /** Why a letter is not redriven, if it is not. */
    private static Optional<RedriveTally.Left> leftOut(DeadLetterRecord letter, RedriveSelection selection, Set<String> eventTopics,
                                                       Set<String> redriven) {
        if (!selection.selects(letter)) {
            return Optional.of(RedriveTally.Left.NOT_SELECTED);
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

    /** The letters of the ranges, in order, read as they are consumed: the topic's ends at the start bound it. */
    private java.util.stream.Stream<DeadLetterRecord> scan(KafkaConsumer<byte[], byte[]> consumer, List<PartitionRange> ranges) {
        if (ranges.isEmpty()) {
            return java.util.stream.Stream.empty();
        }
        Map<TopicPartition, Long> ends = new HashMap<>();
        ranges.forEach(range -> ends.put(range.partition(), range.end()));
        consumer.assign(ends.keySet());
        ranges.forEach(range -> consumer.seek(range.partition(), range.start()));
        Set<TopicPartition> open = new LinkedHashSet<>(ends.keySet());
        return java.util.stream.Stream.generate(() -> {
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

    private KafkaProducer<byte[], byte[]> producer() {
        Map<String, Object> config = kafka.clientConfig();
        // As the gateway publishes: nothing redriven is lost or written twice by a retry.
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_REQUEST_BYTES);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(kafka.timeout().toMillis() * 2, 30_000));
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }
}
