package dev.trackpipeline.gateway.ingest;

import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.model.kafka.TopicNames;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * Learns every event topic's partitions at start-up, so that {@code send()} on the request
 * thread finds the metadata it needs and returns at once instead of waiting for it.
 */
@Component
class KafkaMetadataWarmUp implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(KafkaMetadataWarmUp.class);
    private static final Duration GIVE_UP_AFTER = Duration.ofMinutes(2);

    private final KafkaTemplate<String, byte[]> kafka;
    private final TopicNames topics;
    private final EventFamilies families;

    KafkaMetadataWarmUp(KafkaTemplate<String, byte[]> kafka, TopicNames topics, EventFamilies families) {
        this.kafka = kafka;
        this.topics = topics;
        this.families = families;
    }

    @Override
    public void run(ApplicationArguments args) {
        Thread thread = new Thread(this::warmUp, "kafka-metadata-warm-up");
        thread.setDaemon(true);
        thread.start();
    }

    private static void pauseBeforeRetry() {
        try {
            TimeUnit.MILLISECONDS.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void warmUp() {
        long deadline = System.nanoTime() + GIVE_UP_AFTER.toNanos();
        for (String topic : topics.eventTopics(families)) {
            while (true) {
                try {
                    kafka.partitionsFor(topic);
                    break;
                } catch (RuntimeException e) {
                    if (System.nanoTime() > deadline) {
                        log.warn("no metadata for {} yet ({}); requests will learn it", topic, e.getMessage());
                        return;
                    }
                    pauseBeforeRetry();
                }
            }
        }
    }
}
