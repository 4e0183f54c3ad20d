package dev.trackpipeline.runtime;

import dev.trackpipeline.model.metrics.TrackMeters;

import dev.trackpipeline.model.Outcome;
import dev.trackpipeline.model.kafka.InvalidRecordException;
import dev.trackpipeline.model.kafka.TopicNames;
import dev.trackpipeline.model.kafka.TrackHeaders;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;
import org.springframework.util.backoff.FixedBackOff;

/**
 * What a consumer does when a batch fails, as configuration rather than listener code. Three
 * kinds of failure, three answers:
 * <ul>
 *   <li>a record that can never be stored ({@link InvalidRecordException}) goes to the
 *       dead-letter topic at once, with its outcome and reason in headers;</li>
 *   <li>a record the store refuses while it is up ({@link RecordRefusedByStoreException}) is
 *       offered again a few times, then dead-lettered the same way;</li>
 *   <li>anything else is an outage of the store: retried with growing pauses and no end,
 *       committing nothing, so the consumer resumes by itself when the store is back.</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
public class ConsumerFailureHandling {

    @Bean
    DefaultErrorHandler trackErrorHandler(KafkaTemplate<?, ?> template, TopicNames topics, MeterRegistry meters,
                                          TrackProperties properties) {
        var deadLetter = new DeadLetterPublishingRecoverer(template,
                (record, failure) -> new TopicPartition(topics.deadLetter(), -1));
        deadLetter.setHeadersFunction((record, failure) -> {
            var headers = new RecordHeaders();
            headers.add(TrackHeaders.DEAD_LETTER_OUTCOME, outcomeOf(failure).code().getBytes(StandardCharsets.UTF_8));
            headers.add(TrackHeaders.DEAD_LETTER_REASON, reasonOf(failure).getBytes(StandardCharsets.UTF_8));
            return headers;
        });
        ConsumerRecordRecoverer countedDeadLetter = (record, failure) -> {
            deadLetter.accept(record, failure);
            meters.counter(TrackMeters.CONSUME_DEAD_LETTERED, "topic", record.topic(), "outcome", outcomeOf(failure).code()).increment();
        };

        ExponentialBackOff untilTheStoreIsBack = new ExponentialBackOff(500, 2.0);
        untilTheStoreIsBack.setMaxInterval(30_000);
        var handler = new DefaultErrorHandler(countedDeadLetter, untilTheStoreIsBack);
        handler.addNotRetryableExceptions(InvalidRecordException.class);
        TrackProperties.Consumer consumer = properties.consumer();
        handler.setBackOffFunction((record, failure) -> causeOf(failure, RecordRefusedByStoreException.class) == null ? null
                : new FixedBackOff(consumer.refusedBackoff().toMillis(), Math.max(0, consumer.refusedAttempts() - 1)));
        return handler;
    }

    private static Outcome outcomeOf(Throwable failure) {
        InvalidRecordException invalid = causeOf(failure, InvalidRecordException.class);
        if (invalid != null) {
            return invalid.outcome();
        }
        return causeOf(failure, RecordRefusedByStoreException.class) != null ? Outcome.REFUSED_BY_STORE : Outcome.INVALID_EVENT;
    }

    private static String reasonOf(Throwable failure) {
        Throwable known = causeOf(failure, InvalidRecordException.class);
        if (known == null) {
            known = causeOf(failure, RecordRefusedByStoreException.class);
        }
        return String.valueOf((known == null ? failure : known).getMessage());
    }

    private static <T extends Throwable> T causeOf(Throwable failure, Class<T> kind) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (kind.isInstance(cause)) {
                return kind.cast(cause);
            }
        }
        return null;
    }
}
