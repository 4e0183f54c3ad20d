package dev.trackpipeline.runtime;

import dev.trackpipeline.model.Outcome;
import dev.trackpipeline.model.kafka.InvalidRecordException;
import dev.trackpipeline.model.kafka.TopicNames;
import dev.trackpipeline.model.kafka.TrackHeaders;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaTemplate;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * What a consumer does when a batch fails, as configuration rather than listener code:
 * a record that can never be stored ({@link InvalidRecordException}) goes to the dead-letter
 * topic at once with its outcome and reason in headers; any other failure (a store outage) is
 * retried with growing pauses and no end, committing nothing, so the consumer resumes by itself.
 */
@Configuration(proxyBeanMethods = false)
public class ConsumerFailureHandling {

    @Bean
    DefaultErrorHandler trackErrorHandler(KafkaTemplate<?, ?> template, TopicNames topics, MeterRegistry meters) {
        var deadLetter = new DeadLetterPublishingRecoverer(template,
                (record, failure) -> new TopicPartition(topics.deadLetter(), -1));
        deadLetter.setHeadersFunction((record, failure) -> {
            InvalidRecordException invalid = invalidRecordIn(failure);
            Outcome outcome = invalid == null ? Outcome.INVALID_EVENT : invalid.outcome();
            String reason = invalid == null ? String.valueOf(failure.getMessage()) : invalid.getMessage();
            var headers = new RecordHeaders();
            headers.add(TrackHeaders.DEAD_LETTER_OUTCOME, outcome.code().getBytes(StandardCharsets.UTF_8));
            headers.add(TrackHeaders.DEAD_LETTER_REASON, reason.getBytes(StandardCharsets.UTF_8));
            return headers;
        });
        ExponentialBackOff backOff = new ExponentialBackOff(500, 2.0);
        backOff.setMaxInterval(30_000);
        ConsumerRecordRecoverer countedDeadLetter = (record, failure) -> {
            deadLetter.accept(record, failure);
            InvalidRecordException invalid = invalidRecordIn(failure);
            meters.counter("track.consumer.dead.lettered", "topic", record.topic(),
                    "outcome", (invalid == null ? Outcome.INVALID_EVENT : invalid.outcome()).code()).increment();
        };
        var handler = new DefaultErrorHandler(countedDeadLetter, backOff);
        handler.addNotRetryableExceptions(InvalidRecordException.class);
        return handler;
    }

    private static InvalidRecordException invalidRecordIn(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof InvalidRecordException invalid) {
                return invalid;
            }
        }
        return null;
    }
}
