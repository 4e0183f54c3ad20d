package dev.trackpipeline.gateway.ingest;

import dev.trackpipeline.model.ingest.AcceptedEvent;
import dev.trackpipeline.model.kafka.TopicNames;
import dev.trackpipeline.model.kafka.TrackHeaders;
import dev.trackpipeline.model.metrics.TrackMeters;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * Publishes accepted events to their family's topic. The returned future completes only when
 * Kafka has acknowledged every one of them (acks=all), so a 202 means the events are durable;
 * it fails when any is refused or the publish timeout passes. Nobody waits on a thread for it.
 */
@Component
public class EventPublisher {

    private final KafkaTemplate<String, byte[]> kafka;
    private final TopicNames topics;
    private final GatewayProperties properties;
    private final Timer acknowledged;
    private final Timer failed;

    public EventPublisher(KafkaTemplate<String, byte[]> kafka, TopicNames topics, GatewayProperties properties, MeterRegistry meters) {
        this.kafka = kafka;
        this.topics = topics;
        this.properties = properties;
        this.acknowledged = publishTimer(meters, "acknowledged");
        this.failed = publishTimer(meters, "failed");
    }

    private static Timer publishTimer(MeterRegistry meters, String outcome) {
        return Timer.builder(TrackMeters.INGEST_PUBLISH).description("From send to Kafka's acknowledgement of one request's events")
                .tag("outcome", outcome).serviceLevelObjectives(TrackMeters.LATENCY_BUCKETS.toArray(Duration[]::new)).register(meters);
    }

    /**
     * @param receivedAt the gateway's clock, the time every downstream bucket uses
     * @return completes when Kafka holds every event; fails with {@link PublishFailedException}
     */
    public CompletableFuture<Void> publish(List<AcceptedEvent> events, Instant receivedAt, String clientHash) {
        CompletableFuture<?>[] acknowledgements;
        long started = System.nanoTime();
        try {
            // send() only appends to the producer's buffer; it throws when it cannot even learn the
            // topic's partitions or find buffer room within max.block.ms.
            acknowledgements = events.stream()
                    .map(event -> kafka.send(record(event, receivedAt, clientHash)))
                    .toArray(CompletableFuture[]::new);
        } catch (RuntimeException e) {
            failed.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            return CompletableFuture.failedFuture(new PublishFailedException("Kafka is unavailable: " + e.getMessage(), e));
        }
        return CompletableFuture.allOf(acknowledgements)
                .orTimeout(properties.publishTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((done, failure) -> (failure == null ? acknowledged : failed)
                        .record(System.nanoTime() - started, TimeUnit.NANOSECONDS))
                .exceptionallyCompose(failure -> CompletableFuture.failedFuture(explain(failure)));
    }

    private PublishFailedException explain(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof TimeoutException) {
            return new PublishFailedException("Kafka did not acknowledge the events within " + properties.publishTimeout(), cause);
        }
        return new PublishFailedException("Kafka refused the events: " + cause.getMessage(), cause);
    }

    private ProducerRecord<String, byte[]> record(AcceptedEvent event, Instant receivedAt, String clientHash) {
        var headers = new RecordHeaders();
        TrackHeaders.of(event, receivedAt).forEach((name, value) -> header(headers, name, value));
        header(headers, TrackHeaders.CLIENT_HASH, clientHash);
        return new ProducerRecord<>(topics.forFamily(event.family()), null, event.partitionKey(), event.rawJson(), headers);
    }

    private static void header(RecordHeaders headers, String name, String value) {
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
