package dev.trackpipeline.runtime;

import dev.trackpipeline.model.ingest.IngestLimits;
import dev.trackpipeline.model.kafka.TopicNames;
import dev.trackpipeline.model.kafka.TrackHeaders;
import dev.trackpipeline.model.metrics.TrackMeters;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.KafkaUtils;

/**
 * Publishes given-up records to the dead-letter topic: the record's value and the gateway's
 * headers as they were, plus the outcome, the reason, the consumer group and where the record
 * was. A dead letter is never larger than the event topics take, whatever the record held: a
 * value above the largest accepted event (a record written to a topic by something other than
 * the gateway) is left out and found again through its source while Kafka keeps it, and the
 * reason is cut to a few kilobytes. A dead letter that could not be published would otherwise
 * stop its consumer for good.
 */
public final class KafkaDeadLetters implements DeadLetters {

    private static final Logger log = LoggerFactory.getLogger(KafkaDeadLetters.class);
    static final int MAX_REASON_CHARS = 2_000;
    private static final int MAX_HEADER_BYTES = 1_024;
    /** The gateway's headers, kept on the dead letter; anything else a record carried is dropped. */
    private static final Set<String> KEPT_HEADERS = Set.of(TrackHeaders.EVENT_ID, TrackHeaders.RECEIVED_AT, TrackHeaders.APIKEY,
            TrackHeaders.TYPE, TrackHeaders.SCHEMA_VERSION, TrackHeaders.CLIENT_HASH);

    private final KafkaTemplate<String, byte[]> kafka;
    private final String topic;
    private final IngestLimits limits;
    private final MeterRegistry meters;

    public KafkaDeadLetters(KafkaTemplate<String, byte[]> kafka, TopicNames topics, IngestLimits limits, MeterRegistry meters) {
        this.kafka = kafka;
        this.topic = topics.deadLetter();
        this.limits = limits;
        this.meters = meters;
    }

    @Override
    public void publish(List<DeadLetter> deadLetters) {
        if (deadLetters.isEmpty()) {
            return;
        }
        String group = KafkaUtils.getConsumerGroupId();
        List<CompletableFuture<?>> sent = deadLetters.stream().<CompletableFuture<?>>map(letter -> kafka.send(record(letter, group, false)))
                .toList();
        if (!await(sent)) {
            // The dead-letter topic may predate this service with the broker's 1 MB limit: a value it
            // refuses is left out rather than retried forever; everything else failing is an outage.
            List<CompletableFuture<?>> again = new ArrayList<>();
            for (int index = 0; index < sent.size(); index++) {
                Throwable failure = failureOf(sent.get(index));
                if (failure instanceof RecordTooLargeException) {
                    again.add(kafka.send(record(deadLetters.get(index), group, true)));
                } else if (failure != null) {
                    throw new KafkaException("could not publish " + deadLetters.size() + " dead letters to " + topic, failure);
                }
            }
            if (!await(again)) {
                throw new KafkaException("could not publish " + again.size() + " dead letters to " + topic + ", even without their values",
                        again.stream().map(KafkaDeadLetters::failureOf).filter(Objects::nonNull).findFirst().orElse(null));
            }
        }
        for (DeadLetter letter : deadLetters) {
            log.warn("Dead-lettered {}:{}:{} ({}): {}", letter.record().topic(), letter.record().partition(),
                    letter.record().offset(), letter.outcome().code(), abbreviate(letter.reason()));
            meters.counter(TrackMeters.CONSUME_DEAD_LETTERED, "topic", letter.record().topic(), "outcome", letter.outcome().code())
                    .increment();
        }
    }

    /** @return whether every send succeeded; false once any failed (or the wait ran out) */
    private static boolean await(List<CompletableFuture<?>> sent) {
        try {
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);
            return true;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while publishing dead letters", e);
        }
    }

    /** The cause a send failed with, unwrapped; null while it has not failed. */
    private static Throwable failureOf(CompletableFuture<?> send) {
        if (!send.isCompletedExceptionally()) {
            return send.isDone() ? null : new TimeoutException("no answer from Kafka");
        }
        try {
            send.join();
            return null;
        } catch (CompletionException | CancellationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            while (cause.getCause() != null && !(cause instanceof RecordTooLargeException)) {
                cause = cause.getCause();
            }
            return cause;
        }
    }

    ProducerRecord<String, byte[]> record(DeadLetter letter, String group) {
        return record(letter, group, false);
    }

    private ProducerRecord<String, byte[]> record(DeadLetter letter, String group, boolean refusedForItsSize) {
        var source = letter.record();
        var headers = new RecordHeaders();
        for (Header header : source.headers()) {
            if (KEPT_HEADERS.contains(header.key()) && header.value() != null && header.value().length <= MAX_HEADER_BYTES) {
                headers.add(header.key(), header.value());
            }
        }
        boolean valueLeftOut = source.value() != null && (refusedForItsSize || source.value().length > limits.maxEventBytes());
        String why = refusedForItsSize ? "the dead-letter topic refused it for its size" : "it is larger than any accepted event";
        String reason = abbreviate(letter.reason()) + (valueLeftOut ? " (the record's value of " + source.value().length
                + " bytes is left out: " + why + "; " + TrackHeaders.DEAD_LETTER_SOURCE + " says where it is)" : "");
        headers.add(TrackHeaders.DEAD_LETTER_OUTCOME, utf8(letter.outcome().code()));
        headers.add(TrackHeaders.DEAD_LETTER_REASON, utf8(reason));
        headers.add(TrackHeaders.DEAD_LETTER_SOURCE, utf8(source.topic() + ":" + source.partition() + ":" + source.offset()));
        if (group != null) {
            headers.add(TrackHeaders.DEAD_LETTER_GROUP, utf8(group));
        }
        byte[] value = valueLeftOut ? null : source.value();
        String key = source.key() != null && source.key().length() > MAX_HEADER_BYTES ? null : source.key();
        return new ProducerRecord<>(topic, null, key, value, headers);
    }

    static String abbreviate(String reason) {
        String text = String.valueOf(reason);
        return text.length() <= MAX_REASON_CHARS ? text : text.substring(0, MAX_REASON_CHARS) + "...";
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
