package dev.trackpipeline.replay;

import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.model.event.EventFamily;
import dev.trackpipeline.model.kafka.TopicNames;
import dev.trackpipeline.model.kafka.TrackHeaders;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Stream the raw events of a time range to JSON Lines: the event as the SDK sent it, with its event id,",
                "received-at, apikey, type, topic, partition and offset. --from is inclusive, --to exclusive, both on the",
                "time Kafka stored each record (the gateway's publish time). Stops at --to on every partition. Copies put back",
                "by 'replay redrive' are left out unless --include-redriven."})
final class ExportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--from", converter = TimeArgument.class, description = "Start, inclusive (ISO-8601 or epoch ms; default: the oldest kept).")
    Instant from;

    @Option(names = "--to", converter = TimeArgument.class, description = "End, exclusive (ISO-8601 or epoch ms; default: now).")
    Instant to;

    @Option(names = "--type", split = ",", description = "Only these SDK types (repeat or comma-separate), e.g. error,xhr.")
    List<String> types = new ArrayList<>();

    @Option(names = "--apikey", description = "Only this project's events.")
    String apikey;

    @Option(names = "--limit", description = "Stop after this many events.")
    Long limit;

    @Option(names = {"-o", "--output"}, description = "Write to this file instead of standard output.")
    Path output;

    @Option(names = "--include-redriven", description = "Also export the copies 'replay redrive' put back (same event id as the record "
            + "first exported, a later offset), each with the consumer group it was redriven for as \"redrivenFor\".")
    boolean includeRedriven;

    @Override
    public Integer call() throws Exception {
        EventFamilies families = new EventFamilies();
        if (from != null && to != null && !from.isBefore(to)) {
            throw new ReplayException(ReplayException.USAGE, "--from must be before --to");
        }
        if (limit != null && limit <= 0) {
            throw new ReplayException(ReplayException.USAGE, "--limit must be positive, got " + limit);
        }
        List<String> topics = topicsFor(families);
        PrintWriter err = spec.commandLine().getErr();
        long started = System.nanoTime();
        long written = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = kafka.consumer();
             ExportLines lines = new ExportLines(openOutput())) {
            List<PartitionRange> ranges = ExportRanges.of(consumer, kafka.timeout(), topics, Optional.ofNullable(from), Optional.ofNullable(to));
            Progress progress = new Progress(err, ranges.stream().mapToLong(PartitionRange::size).sum());
            Map<TopicPartition, Long> ends = new HashMap<>();
            ranges.forEach(range -> ends.put(range.partition(), range.end()));
            consumer.assign(ends.keySet());
            ranges.forEach(range -> consumer.seek(range.partition(), range.start()));
            Set<TopicPartition> open = new LinkedHashSet<>(ends.keySet());
            while (!open.isEmpty() && (limit == null || written < limit)) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                    if (record.offset() >= ends.get(partition) || (limit != null && written >= limit) || !wanted(record)) {
                        continue;
                    }
                    lines.write(record);
                    written++;
                    progress.update(written);
                }
                open.removeIf(partition -> consumer.position(partition, kafka.timeout()) >= ends.get(partition));
            }
            progress.finish();
        } catch (KafkaException e) {
            throw kafka.unreachable(e);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        err.printf("exported %d events from %s in %.1f s (%.0f events/s)%n", written, String.join(", ", topics), seconds,
                written / Math.max(seconds, 1e-3));
        err.flush();
        return 0;
    }

    private List<String> topicsFor(EventFamilies families) {
        TopicNames names = TopicNames.defaults();
        if (types.isEmpty()) {
            return names.eventTopics(families);
        }
        Set<String> topics = new LinkedHashSet<>();
        for (String type : types) {
            EventFamily family = families.forType(type).orElseThrow(() -> new ReplayException(ReplayException.USAGE,
                    "--type: unknown type \"" + type + "\", expected one of " + families.knownTypes()));
            topics.add(names.forFamily(family));
        }
        return List.copyOf(topics);
    }

    private boolean wanted(ConsumerRecord<byte[], byte[]> record) {
        // A redriven copy repeats an event the topic holds already (its first publication): counted twice otherwise.
        if (!includeRedriven && record.headers().lastHeader(TrackHeaders.REDRIVE_GROUP) != null) {
            return false;
        }
        if (apikey != null && !ExportLines.header(record, TrackHeaders.APIKEY).map(apikey::equals).orElse(false)) {
            return false;
        }
        return types.isEmpty() || ExportLines.header(record, TrackHeaders.TYPE).map(types::contains).orElse(false);
    }

    private OutputStream openOutput() throws java.io.IOException {
        if (output != null) {
            return new BufferedOutputStream(new FileOutputStream(output.toFile()), 1 << 16);
        }
        // Standard output belongs to the process, not to this command: flush it, never close it.
        return new java.io.FilterOutputStream(new BufferedOutputStream(System.out, 1 << 16)) {
            @Override
            public void write(byte[] bytes, int offset, int length) throws java.io.IOException {
                out.write(bytes, offset, length);
            }

            @Override
            public void close() throws java.io.IOException {
                flush();
            }
        };
    }
}
