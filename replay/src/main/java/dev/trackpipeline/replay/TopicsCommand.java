package dev.trackpipeline.replay;

import dev.trackpipeline.model.kafka.ConsumerGroups;

import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.model.kafka.TopicNames;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "topics", mixinStandardHelpOptions = true,
        description = "Per topic: partitions, retention, earliest and latest offsets and timestamps, and how far the writer "
                + "and the aggregator lag behind.")
final class TopicsCommand implements Callable<Integer> {

    static final List<String> GROUPS = List.of(ConsumerGroups.WRITER, ConsumerGroups.AGGREGATOR);

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    /** What {@code topics} reports of one topic. */
    record TopicSummary(String topic, int partitions, Duration retention, long records, long earliestOffset, long latestOffset,
                        Optional<Instant> earliest, Optional<Instant> latest, Map<String, Long> lag) {
    }

    @Override
    public Integer call() throws Exception {
        TopicNames names = TopicNames.defaults();
        List<String> topics = new ArrayList<>(names.eventTopics(new EventFamilies()));
        topics.add(names.deadLetter());
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%-20s %4s %9s %9s %15s %15s  %-24s %-24s %s%n", "topic", "part", "retention", "records", "earliest offset",
                "latest offset", "earliest", "latest", "lag (writer / aggregator)");
        for (TopicSummary topic : summaries(topics)) {
            out.printf("%-20s %4d %8dh %9d %15d %15d  %-24s %-24s %d / %d%n", topic.topic(), topic.partitions(),
                    topic.retention().toHours(), topic.records(), topic.earliestOffset(), topic.latestOffset(),
                    topic.earliest().map(Instant::toString).orElse("-"), topic.latest().map(Instant::toString).orElse("-"),
                    topic.lag().get(ConsumerGroups.WRITER), topic.lag().get(ConsumerGroups.AGGREGATOR));
        }
        out.flush();
        return 0;
    }

    List<TopicSummary> summaries(List<String> topics) {
        try (Admin admin = Admin.create(kafka.clientConfig()); KafkaConsumer<byte[], byte[]> consumer = kafka.consumer()) {
            var descriptions = admin.describeTopics(topics).allTopicNames().get(kafka.timeout().toSeconds(), TimeUnit.SECONDS);
            List<ConfigResource> resources = topics.stream().map(topic -> new ConfigResource(ConfigResource.Type.TOPIC, topic)).toList();
            Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get(kafka.timeout().toSeconds(), TimeUnit.SECONDS);
            Map<String, Map<TopicPartition, OffsetAndMetadata>> committed = new java.util.HashMap<>();
            for (String group : GROUPS) {
                committed.put(group, admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                        .get(kafka.timeout().toSeconds(), TimeUnit.SECONDS));
            }
            List<TopicSummary> summaries = new ArrayList<>();
            for (String topic : topics) {
                List<TopicPartition> partitions = descriptions.get(topic).partitions().stream()
                        .map(info -> new TopicPartition(topic, info.partition())).toList();
                Map<TopicPartition, Long> beginnings = consumer.beginningOffsets(partitions, kafka.timeout());
                Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, kafka.timeout());
                long records = partitions.stream().mapToLong(partition -> ends.get(partition) - beginnings.get(partition)).sum();
                Map<String, Long> lag = new java.util.LinkedHashMap<>();
                for (String group : GROUPS) {
                    lag.put(group, partitions.stream().mapToLong(partition -> {
                        OffsetAndMetadata offset = committed.get(group).get(partition);
                        return ends.get(partition) - (offset == null ? beginnings.get(partition) : offset.offset());
                    }).sum());
                }
                String retentionMs = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, topic)).get(TopicConfig.RETENTION_MS_CONFIG).value();
                summaries.add(new TopicSummary(topic, partitions.size(), Duration.ofMillis(Long.parseLong(retentionMs)), records,
                        beginnings.values().stream().mapToLong(Long::longValue).sum(), ends.values().stream().mapToLong(Long::longValue).sum(),
                        RecordTimestamps.of(consumer, beginnings, ends, true), RecordTimestamps.of(consumer, beginnings, ends, false), lag));
            }
            return summaries;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) {
                throw new ReplayException(ReplayException.USAGE, "the track topics do not exist yet; start a service once to create them");
            }
            throw kafka.unreachable(e);
        } catch (TimeoutException | KafkaException e) {
            throw kafka.unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReplayException(ReplayException.UNAVAILABLE, "interrupted");
        }
    }

}
