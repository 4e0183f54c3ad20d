package dev.trackpipeline.aggregator.consume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trackpipeline.infra.EmbeddedKafkaBroker;
import dev.trackpipeline.infra.InfrastructureSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The topic ids the progress markers keep, asked of a real broker. */
class TopicIdsTest {

    @TempDir
    static Path dir;
    static EmbeddedKafkaBroker broker;
    static Admin admin;

    @BeforeAll
    static void start() {
        broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"), "127.0.0.1", InfrastructureSettings.freePort(), InfrastructureSettings.freePort());
        admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()));
    }

    @AfterAll
    static void stop() {
        admin.close();
        broker.close();
    }

    @Test
    void aTopicsIdIsKafkasAndATopicMadeAgainHasAnotherOnceAskedAgain() throws Exception {
        create("ids.error");
        TopicIds ids = new TopicIds(Map.of("bootstrap.servers", broker.bootstrapServers()), System::nanoTime);
        String first = ids.of("ids.error");
        assertThat(first).isEqualTo(admin.describeTopics(List.of("ids.error")).allTopicNames().get(30, TimeUnit.SECONDS)
                .get("ids.error").topicId().toString());

        admin.deleteTopics(List.of("ids.error")).all().get(30, TimeUnit.SECONDS);
        await().until(() -> !admin.listTopics().names().get().contains("ids.error"));
        create("ids.error");

        assertThat(ids.of("ids.error")).as("as known, until asked again").isEqualTo(first);
        ids.onPartitionsAssigned(null, List.of(new TopicPartition("ids.error", 0)));
        assertThat(ids.of("ids.error")).isNotEmpty().isNotEqualTo(first);
        assertThat(ids.askKafka("ids.error")).isEqualTo(ids.of("ids.error"));
        ids.destroy();
    }

    /** Kafka not telling leaves the id unknown, and is not asked again at every batch, which would hold each for the timeout. */
    @Test
    void anIdKafkaDoesNotTellIsUnknownAndNotAskedAgainForAWhile() throws Exception {
        AtomicLong now = new AtomicLong();
        TopicIds ids = new TopicIds(Map.of("bootstrap.servers", broker.bootstrapServers()), now::get);

        assertThat(ids.askKafka("ids.never-made")).isEmpty();
        create("ids.never-made");
        assertThat(ids.askKafka("ids.never-made")).as("not asked again so soon").isEmpty();
        now.addAndGet(TopicIds.ASK_AGAIN_AFTER.toNanos());
        assertThat(ids.askKafka("ids.never-made")).isNotEmpty();
        ids.destroy();
    }

    private static void create(String topic) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }
}
