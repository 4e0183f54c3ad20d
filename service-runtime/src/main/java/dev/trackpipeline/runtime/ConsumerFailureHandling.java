package dev.trackpipeline.runtime;

import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.model.ingest.IngestLimits;
import dev.trackpipeline.model.kafka.TopicNames;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Map;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.apache.kafka.clients.admin.Admin;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * What a consumer does when a batch fails. {@link ConsumedBatch} already settles every record it
 * can (stored, or dead-lettered with its reason), so what reaches the error handler is an outage:
 * of the store, or of Kafka while dead letters are published. The handler polls the batch again
 * with growing pauses and no end, committing nothing, so the consumer resumes by itself when the
 * store is back; {@link ConsumerProgress} makes the wait visible in logs, metrics and health, and
 * {@link CommittedLag} the backlog it leaves.
 * Only consumers have these: a consumer declares its store's {@link StoreOutages}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBean(StoreOutages.class)
public class ConsumerFailureHandling {

    @Bean
    DefaultErrorHandler trackErrorHandler() {
        ExponentialBackOff untilTheStoreIsBack = new ExponentialBackOff(500, 2.0);
        untilTheStoreIsBack.setMaxInterval(30_000);
        // The back-off never ends, so nothing is ever recovered; if it were, refusing keeps the batch uncommitted.
        var handler = new DefaultErrorHandler((record, failure) -> {
            throw new IllegalStateException("a failed batch is retried, never skipped", failure);
        }, untilTheStoreIsBack);
        // Spring Kafka gives up at once on some kinds (ClassCastException among them); none of them is about one record here.
        handler.setClassifications(Map.of(), true);
        return handler;
    }

    @Bean
    ConsumerProgress consumerProgress(MeterRegistry meters, TrackProperties properties) {
        return new ConsumerProgress(meters, Clock.systemUTC(), properties.consumer().stalledAfter());
    }

    @Bean(destroyMethod = "close")
    CommittedLag committedLag(KafkaAdmin kafkaAdmin, KafkaListenerEndpointRegistry listeners, TopicNames topics, EventFamilies families,
                              MeterRegistry meters, TrackProperties properties) {
        return new CommittedLag(Admin.create(kafkaAdmin.getConfigurationProperties()), listeners, topics.eventTopics(families), meters,
                properties.consumer().lagInterval());
    }

    @Bean
    DeadLetters deadLetters(KafkaTemplate<String, byte[]> kafka, TopicNames topics, IngestLimits limits, MeterRegistry meters) {
        return new KafkaDeadLetters(kafka, topics, limits, meters);
    }
}
