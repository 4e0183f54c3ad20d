package dev.trackpipeline.replay;

import dev.trackpipeline.model.kafka.ConsumerGroups;

import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.model.kafka.TopicNames;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "rebuild", mixinStandardHelpOptions = true,
        description = {"Move the writer's or the aggregator's consumer group back to a time, so its store converges again from the",
                "raw events. Both stores are idempotent, so the result equals the original. The service must be stopped:",
                "with members in its group the command refuses and says why."})
final class RebuildCommand implements Callable<Integer> {

    /** The consumer group of each service a rebuild can target. */
    static final Map<String, String> GROUPS = Map.of("writer", ConsumerGroups.WRITER, "aggregator", ConsumerGroups.AGGREGATOR);

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--target", required = true, description = "writer or aggregator.")
    String target;

    @Option(names = "--from", required = true, converter = TimeArgument.class,
            description = "Re-read everything stored at or after this time (ISO-8601 or epoch ms).")
    Instant from;

    @Option(names = "--dry-run", description = "Print, per topic and partition, the current and target offsets and how many records would be re-read; change nothing.")
    boolean dryRun;

    /** One partition's move. */
    record Move(TopicPartition partition, long current, long target) {

        long reread() {
            return Math.max(0, current - target);
        }
    }

    @Override
    public Integer call() throws Exception {
        String group = GROUPS.get(target);
        if (group == null) {
            throw new ReplayException(ReplayException.USAGE, "--target: expected writer or aggregator, got \"" + target + "\"");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (Admin admin = Admin.create(kafka.clientConfig()); KafkaConsumer<byte[], byte[]> consumer = kafka.consumer()) {
            ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group)
                    .get(kafka.timeout().toSeconds(), TimeUnit.SECONDS);
            if (!description.members().isEmpty()) {
                throw new ReplayException(ReplayException.USAGE, "consumer group " + group + " has " + description.members().size()
                        + " active member(s); stop the " + target + " first, since its offsets cannot move while it consumes");
            }
            List<Move> moves = moves(admin, consumer, group);
            out.printf("%-20s %9s %15s %15s %10s%n", "topic", "partition", "current offset", "target offset", "re-read");
            moves.forEach(move -> out.printf("%-20s %9d %15d %15d %10d%n", move.partition().topic(), move.partition().partition(),
                    move.current(), move.target(), move.reread()));
            long total = moves.stream().mapToLong(Move::reread).sum();
            if (dryRun) {
                out.printf("dry run: %d records would be re-read by %s; nothing changed%n", total, group);
            } else {
                Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                moves.forEach(move -> offsets.put(move.partition(), new OffsetAndMetadata(move.target())));
                admin.alterConsumerGroupOffsets(group, offsets).all().get(kafka.timeout().toSeconds(), TimeUnit.SECONDS);
                out.printf("moved %s back to %s: %d records will be re-read when the %s starts%n", group, from, total, target);
            }
            out.flush();
            return 0;
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            throw kafka.unreachable(e);
        }
    }

    private List<Move> moves(Admin admin, KafkaConsumer<byte[], byte[]> consumer, String group) throws Exception {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : TopicNames.defaults().eventTopics(new EventFamilies())) {
            consumer.partitionsFor(topic, kafka.timeout()).forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
        }
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                .get(kafka.timeout().toSeconds(), TimeUnit.SECONDS);
        Map<TopicPartition, Long> beginnings = consumer.beginningOffsets(partitions, kafka.timeout());
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, kafka.timeout());
        Map<TopicPartition, Long> query = new LinkedHashMap<>();
        partitions.forEach(partition -> query.put(partition, from.toEpochMilli()));
        Map<TopicPartition, OffsetAndTimestamp> atTime = consumer.offsetsForTimes(query, kafka.timeout());
        List<Move> moves = new ArrayList<>();
        for (TopicPartition partition : partitions) {
            OffsetAndMetadata current = committed.get(partition);
            long currentOffset = current == null ? beginnings.get(partition) : current.offset();
            long targetOffset = atTime.get(partition) == null ? ends.get(partition) : atTime.get(partition).offset();
            // Never forward: a rebuild only re-reads, it must not skip what the store has not seen yet.
            moves.add(new Move(partition, currentOffset, Math.min(currentOffset, targetOffset)));
        }
        return moves;
    }
}
