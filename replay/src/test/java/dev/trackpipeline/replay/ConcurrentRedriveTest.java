package dev.trackpipeline.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.infra.EmbeddedInfrastructure;
import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.model.fixtures.FixtureRecords;
import dev.trackpipeline.model.fixtures.FixtureRecords.FixtureRecord;
import dev.trackpipeline.model.fixtures.WebSeeFixtures;
import dev.trackpipeline.model.kafka.TopicNames;
import dev.trackpipeline.model.kafka.TrackHeaders;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Two redrives started together (two operators, or a cron job and a human): each letter is
 * redriven once. Both use one transactional id, so the later fences the earlier, which stops
 * without its open transaction counting; the consumers read committed records only.
 */
class ConcurrentRedriveTest {

    static final EmbeddedInfrastructure infra = EmbeddedInfrastructure.startForTests();
    static final TopicNames names = TopicNames.defaults();
    static final int LETTERS = 3 * RedriveTransactions.LETTERS_PER_TRANSACTION + 17;

    @AfterAll
    static void stop() {
        infra.close();
    }

    @Test
    void twoRedrivesStartedTogetherPublishEachLetterOnceAndMarkItOnce() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", infra.kafkaBootstrapServers()))) {
            List<NewTopic> topics = new ArrayList<>();
            names.eventTopics(new EventFamilies()).forEach(topic -> topics.add(new NewTopic(topic, 1, (short) 1)));
            topics.add(new NewTopic(names.deadLetter(), 1, (short) 1));
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
            admin.alterConsumerGroupOffsets("track-aggregator", Map.of(new TopicPartition("track.error", 0), new OffsetAndMetadata(0)))
                    .all().get(30, TimeUnit.SECONDS);
        }
        FixtureRecord error = FixtureRecords.of(WebSeeFixtures.load().first("error"), Instant.now().minus(Duration.ofHours(2)));
        try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", infra.kafkaBootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            for (int offset = 0; offset < LETTERS; offset++) {
                producer.send(letter(error, error.topic() + ":0:" + offset));
            }
            producer.flush();
        }

        CountDownLatch start = new CountDownLatch(1);
        // Two threads of their own: on two cores the common pool has one worker (and on Java 25
        // supplyAsync uses it), which would run the two redrives one after the other.
        ExecutorService twoRuns = Executors.newFixedThreadPool(2);
        List<Run> runs;
        try {
            var first = CompletableFuture.supplyAsync(() -> redrive(start), twoRuns);
            var second = CompletableFuture.supplyAsync(() -> redrive(start), twoRuns);
            start.countDown();
            runs = List.of(first.get(120, TimeUnit.SECONDS), second.get(120, TimeUnit.SECONDS));
        } finally {
            twoRuns.shutdownNow();
        }

        assertThat(committed(error.topic())).as("redriven copies a consumer reads").hasSize(LETTERS)
                .extracting(record -> new String(record.headers().lastHeader(TrackHeaders.REDRIVEN_FROM).value(), StandardCharsets.UTF_8))
                .doesNotHaveDuplicates();
        assertThat(committed(names.redriven())).as("marks").hasSize(LETTERS);
        assertThat(runs).as("each run either redrove what the other had not, or was fenced and said so").allSatisfy(run ->
                assertThat(run.exit() == 0 ? run.out() : run.err()).containsAnyOf("redrove", "another redrive started and took over"));
        long redrivenByRuns = runs.stream().filter(run -> run.exit() == 0)
                .mapToLong(run -> Long.parseLong(run.out().replaceAll("(?s).*redrove (\\d+) letters?.*", "$1"))).sum();
        assertThat(redrivenByRuns).isLessThanOrEqualTo(LETTERS);

        Run third = redrive(new CountDownLatch(0));
        assertThat(third.out()).contains("redrove 0 letters", LETTERS + " redriven before");
    }

    /** What a consumer reading committed records (as the writer and the aggregator do) finds in the topic. */
    private static List<ConsumerRecord<byte[], byte[]>> committed(String topic) {
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of("bootstrap.servers", infra.kafkaBootstrapServers(),
                "isolation.level", "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            var partitions = consumer.partitionsFor(topic).stream().map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(partition -> consumer.position(partition) < ends.get(partition)) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(300)).forEach(records::add);
            }
            return records;
        }
    }

    /** The aggregator's letter about one record of track.error, as KafkaDeadLetters writes it. */
    private static ProducerRecord<String, byte[]> letter(FixtureRecord record, String source) {
        var headers = new RecordHeaders();
        record.headers().forEach((name, value) -> headers.add(name, utf8(value)));
        headers.add(TrackHeaders.DEAD_LETTER_OUTCOME, utf8("unstorable"));
        headers.add(TrackHeaders.DEAD_LETTER_REASON, utf8("storing this record alone failed: a bug since fixed"));
        headers.add(TrackHeaders.DEAD_LETTER_SOURCE, utf8(source));
        headers.add(TrackHeaders.DEAD_LETTER_GROUP, utf8("track-aggregator"));
        return new ProducerRecord<>(names.deadLetter(), null, record.key(), record.value(), headers);
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run redrive(CountDownLatch start) {
        try {
            start.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = ReplayCommand.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute("redrive", "--bootstrap-servers", infra.kafkaBootstrapServers());
        return new Run(exit, out.toString(), err.toString());
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
