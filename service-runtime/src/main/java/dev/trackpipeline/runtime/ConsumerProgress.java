package dev.trackpipeline.runtime;

import dev.trackpipeline.model.metrics.TrackMeters;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Whether the consumer is making progress. A batch that fails is polled again until it passes
 * (an outage is waited out), and a store call can hang; from outside either looks like a consumer
 * with nothing to do, since Kafka's own lag metric measures the fetch position, which does not
 * move back. So every failed attempt is logged with its reason; gauges say for how long the
 * consumer has been failing, how long the batch in hand has been in hand, and how old the oldest
 * event it could not store is; and the health turns DOWN once the consumer has been failing, or
 * one batch in hand, for longer than {@code track.consumer.stalled-after}, for an orchestrator to
 * act on.
 */
public final class ConsumerProgress implements HealthIndicator {

    private static final Logger log = LoggerFactory.getLogger(ConsumerProgress.class);
    /**
     * A failing batch is polled again at least every 30 s (the error handler's longest pause); a
     * thread that has not tried for longer has lost its partitions to a rebalance, and its run
     * no longer says anything about the consumer.
     */
    static final Duration STALE_AFTER = Duration.ofSeconds(90);

    /** One listener thread's batch in hand, and its run of failed attempts at it. */
    private record Run(Instant inHandSince, Instant failingSince, Instant lastFailure, int attempts, String reason,
                       Instant oldestReceivedAt) {
    }

    private final Clock clock;
    private final Duration stalledAfter;
    /** By listener thread: a container with several threads fails and recovers thread by thread. */
    private final Map<String, Run> runs = new ConcurrentHashMap<>();

    public ConsumerProgress(MeterRegistry meters, Clock clock, Duration stalledAfter) {
        this.clock = clock;
        this.stalledAfter = stalledAfter;
        Gauge.builder(TrackMeters.CONSUME_FAILING, this, progress -> seconds(progress.failingFor()))
                .description("How long the consumer has been failing to store a batch; 0 while it makes progress")
                .baseUnit("seconds").register(meters);
        Gauge.builder(TrackMeters.CONSUME_BATCH_IN_HAND, this, progress -> seconds(progress.longestInHand()))
                .description("How long the batch the consumer is storing now has been in hand; a store call that hangs shows here")
                .baseUnit("seconds").register(meters);
        Gauge.builder(TrackMeters.CONSUME_OLDEST_UNSTORED, this, progress -> seconds(progress.oldestUnstoredAge()))
                .description("Age (since the gateway received it) of the oldest event in a batch the consumer is failing to store")
                .baseUnit("seconds").register(meters);
    }

    /** A batch is taken in hand (again, if it failed before). */
    public void began() {
        Instant now = clock.instant();
        runs.merge(thread(), new Run(now, null, null, 0, null, null),
                (before, fresh) -> new Run(now, before.failingSince(), before.lastFailure(), before.attempts(), before.reason(),
                        before.oldestReceivedAt()));
    }

    /** The batch holding events received from {@code oldestReceivedAt} on failed; it will be polled again. */
    public void failed(RuntimeException failure, Optional<Instant> oldestReceivedAt) {
        Instant now = clock.instant();
        Run run = runs.merge(thread(), new Run(null, now, now, 1, describe(failure), oldestReceivedAt.orElse(null)),
                (before, latest) -> new Run(null, before.failingSince() == null ? now : before.failingSince(), now,
                        before.attempts() + 1, latest.reason(), earliest(before.oldestReceivedAt(), latest.oldestReceivedAt())));
        Duration failingFor = Duration.between(run.failingSince(), now);
        if (failingFor.compareTo(stalledAfter) > 0) {
            log.error("Storing a batch failed (attempt {}, failing for {} s): {}", run.attempts(), failingFor.toSeconds(), run.reason());
        } else {
            log.warn("Storing a batch failed (attempt {}); it will be polled again: {}", run.attempts(), run.reason());
        }
    }

    /** A batch ended stored or dead-lettered. */
    public void progressed() {
        Run ended = runs.remove(thread());
        if (ended != null && ended.failingSince() != null) {
            log.info("Storing resumed after {} failed attempts over {} s", ended.attempts(),
                    Duration.between(ended.failingSince(), clock.instant()).toSeconds());
        }
    }

    Duration failingFor() {
        Instant now = clock.instant();
        return longest(current(now).filter(run -> run.failingSince() != null).map(run -> Duration.between(run.failingSince(), now)));
    }

    Duration longestInHand() {
        Instant now = clock.instant();
        return longest(current(now).filter(run -> run.inHandSince() != null).map(run -> Duration.between(run.inHandSince(), now)));
    }

    Duration oldestUnstoredAge() {
        Instant now = clock.instant();
        return longest(current(now).filter(run -> run.failingSince() != null).map(Run::oldestReceivedAt).filter(Objects::nonNull)
                .map(receivedAt -> Duration.between(receivedAt, now)));
    }

    @Override
    public Health health() {
        Duration failingFor = failingFor();
        Duration inHand = longestInHand();
        if (failingFor.isZero() && inHand.compareTo(stalledAfter) <= 0) {
            return Health.up().build();
        }
        boolean stalled = failingFor.compareTo(stalledAfter) > 0 || inHand.compareTo(stalledAfter) > 0;
        Health.Builder health = stalled ? Health.down() : Health.up();
        health.withDetail("failingForSeconds", failingFor.toSeconds()).withDetail("batchInHandSeconds", inHand.toSeconds());
        current(clock.instant()).filter(run -> run.failingSince() != null).min(Comparator.comparing(Run::failingSince))
                .ifPresent(longest -> health.withDetail("attempts", longest.attempts()).withDetail("lastFailure", longest.reason())
                        .withDetail("oldestUnstoredAgeSeconds", oldestUnstoredAge().toSeconds()));
        return health.build();
    }

    /** The runs that still speak for the consumer: a batch in hand, or failures that go on. */
    private Stream<Run> current(Instant now) {
        return runs.values().stream().filter(run -> run.inHandSince() != null
                || (run.lastFailure() != null && Duration.between(run.lastFailure(), now).compareTo(STALE_AFTER) <= 0));
    }

    private static Duration longest(Stream<Duration> durations) {
        return durations.filter(duration -> !duration.isNegative()).max(Comparator.naturalOrder()).orElse(Duration.ZERO);
    }

    private static double seconds(Duration duration) {
        return duration.toMillis() / 1000.0;
    }

    private static String thread() {
        return Thread.currentThread().getName();
    }

    private static Instant earliest(Instant a, Instant b) {
        return a == null ? b : b == null ? a : a.isBefore(b) ? a : b;
    }

    private static String describe(Throwable failure) {
        StringBuilder reason = new StringBuilder(failure.getClass().getSimpleName() + ": " + failure.getMessage());
        for (Throwable cause = failure.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            reason.append(" <- ").append(cause.getClass().getSimpleName()).append(": ").append(cause.getMessage());
        }
        return KafkaDeadLetters.abbreviate(reason.toString());
    }
}
