package dev.trackpipeline.runtime;

import dev.trackpipeline.model.metrics.TrackMeters;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Whether the consumer is making progress. A batch that fails is polled again until it passes
 * (an outage is waited out), which would look from outside like a consumer with nothing to do:
 * Kafka's own lag metric measures the fetch position, which does not move back. So every failed
 * attempt is logged with its reason, two gauges say for how long the consumer has been failing
 * and how old the oldest event it could not store is, and the health turns DOWN once that has
 * lasted longer than {@code track.consumer.stalled-after}, for an orchestrator to act on.
 */
public final class ConsumerProgress implements HealthIndicator {

    private static final Logger log = LoggerFactory.getLogger(ConsumerProgress.class);

    /** One listener thread's current run of failed attempts at a batch. */
    private record Failing(Instant since, int attempts, String reason, Instant oldestReceivedAt) {
    }

    private final Clock clock;
    private final Duration stalledAfter;
    /** By listener thread: a container with several threads fails and recovers thread by thread. */
    private final Map<String, Failing> failing = new ConcurrentHashMap<>();

    public ConsumerProgress(MeterRegistry meters, Clock clock, Duration stalledAfter) {
        this.clock = clock;
        this.stalledAfter = stalledAfter;
        Gauge.builder(TrackMeters.CONSUME_FAILING, this, progress -> progress.failingFor().toMillis() / 1000.0)
                .description("How long the consumer has been failing to store a batch; 0 while it makes progress")
                .baseUnit("seconds").register(meters);
        Gauge.builder(TrackMeters.CONSUME_OLDEST_UNSTORED, this, progress -> progress.oldestUnstoredAge().toMillis() / 1000.0)
                .description("Age (since the gateway received it) of the oldest event in a batch the consumer is failing to store")
                .baseUnit("seconds").register(meters);
    }

    /** The batch holding events received from {@code oldestReceivedAt} on failed; it will be polled again. */
    public void failed(RuntimeException failure, Optional<Instant> oldestReceivedAt) {
        Instant now = clock.instant();
        Failing run = failing.merge(Thread.currentThread().getName(),
                new Failing(now, 1, describe(failure), oldestReceivedAt.orElse(null)),
                (before, latest) -> new Failing(before.since(), before.attempts() + 1, latest.reason(),
                        earliest(before.oldestReceivedAt(), latest.oldestReceivedAt())));
        Duration failingFor = Duration.between(run.since(), now);
        if (failingFor.compareTo(stalledAfter) > 0) {
            log.error("Storing a batch failed (attempt {}, failing for {} s): {}", run.attempts(), failingFor.toSeconds(), run.reason());
        } else {
            log.warn("Storing a batch failed (attempt {}); it will be polled again: {}", run.attempts(), run.reason());
        }
    }

    /** A batch ended stored or dead-lettered. */
    public void progressed() {
        Failing ended = failing.remove(Thread.currentThread().getName());
        if (ended != null) {
            log.info("Storing resumed after {} failed attempts over {} s", ended.attempts(),
                    Duration.between(ended.since(), clock.instant()).toSeconds());
        }
    }

    Duration failingFor() {
        Instant now = clock.instant();
        return failing.values().stream().map(run -> Duration.between(run.since(), now)).max(Comparator.naturalOrder())
                .orElse(Duration.ZERO);
    }

    Duration oldestUnstoredAge() {
        Instant now = clock.instant();
        return failing.values().stream().map(Failing::oldestReceivedAt).filter(java.util.Objects::nonNull)
                .map(receivedAt -> Duration.between(receivedAt, now)).filter(age -> !age.isNegative())
                .max(Comparator.naturalOrder()).orElse(Duration.ZERO);
    }

    @Override
    public Health health() {
        Duration failingFor = failingFor();
        if (failingFor.isZero()) {
            return Health.up().build();
        }
        Failing longest = failing.values().stream().min(Comparator.comparing(Failing::since)).orElseThrow();
        Health.Builder health = failingFor.compareTo(stalledAfter) > 0 ? Health.down() : Health.up();
        return health.withDetail("failingForSeconds", failingFor.toSeconds())
                .withDetail("attempts", longest.attempts())
                .withDetail("lastFailure", longest.reason())
                .withDetail("oldestUnstoredAgeSeconds", oldestUnstoredAge().toSeconds())
                .build();
    }

    private static Instant earliest(Instant a, Instant b) {
        return a == null ? b : b == null ? a : a.isBefore(b) ? a : b;
    }

    private static String describe(Throwable failure) {
        String reason = failure.getClass().getSimpleName() + ": " + failure.getMessage();
        for (Throwable cause = failure.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            reason += " <- " + cause.getClass().getSimpleName() + ": " + cause.getMessage();
        }
        return KafkaDeadLetters.abbreviate(reason);
    }
}
