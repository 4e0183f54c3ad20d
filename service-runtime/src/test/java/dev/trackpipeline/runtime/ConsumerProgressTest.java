package dev.trackpipeline.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Status;

/** A consumer that cannot make progress says so, whether its store fails or a call to it hangs. */
class ConsumerProgressTest {

    /** A clock the test moves. */
    static final class MovingClock extends Clock {
        Instant now = Instant.parse("2026-11-30T07:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }

        void pass(Duration duration) {
            now = now.plus(duration);
        }
    }

    final MovingClock clock = new MovingClock();
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final ConsumerProgress progress = new ConsumerProgress(meters, clock, Duration.ofMinutes(2));

    @Test
    void turnsDownWhenFailingLongerThanTheStallTimeAndUpOnceABatchEnds() {
        progress.began();
        progress.failed(new IllegalStateException("MongoDB unreachable"), Optional.of(clock.now.minusSeconds(10)));
        for (int attempt = 0; attempt < 5; attempt++) {
            clock.pass(Duration.ofSeconds(30));
            progress.began();
            progress.failed(new IllegalStateException("MongoDB unreachable"), Optional.empty());
        }

        assertThat(progress.health().getStatus()).isEqualTo(Status.DOWN);
        assertThat(progress.health().getDetails()).containsEntry("attempts", 6).containsEntry("failingForSeconds", 150L)
                .containsEntry("lastFailure", "IllegalStateException: MongoDB unreachable").containsEntry("oldestUnstoredAgeSeconds", 160L);
        assertThat(meters.get("track.consume.failing").gauge().value()).isEqualTo(150);

        progress.began();
        progress.progressed();

        assertThat(progress.health().getStatus()).isEqualTo(Status.UP);
        assertThat(meters.get("track.consume.failing").gauge().value()).isZero();
        assertThat(meters.get("track.consume.oldest.unstored").gauge().value()).isZero();
    }

    /** No exception is ever thrown while a call hangs (the driver's socket timeout, a producer blocked). */
    @Test
    void turnsDownWhenOneBatchHasBeenInHandLongerThanTheStallTime() {
        progress.began();
        clock.pass(Duration.ofSeconds(119));
        assertThat(progress.health().getStatus()).isEqualTo(Status.UP);
        assertThat(meters.get("track.consume.batch.in.hand").gauge().value()).isEqualTo(119);

        clock.pass(Duration.ofSeconds(2));

        assertThat(progress.health().getStatus()).isEqualTo(Status.DOWN);
        assertThat(progress.health().getDetails()).containsEntry("batchInHandSeconds", 121L);
    }

    /** A thread whose partitions a rebalance gave away stops trying; its old failures no longer speak for the consumer. */
    @Test
    void forgetsTheFailuresOfAThreadThatHasNotTriedForLongerThanTheLongestPause() {
        progress.began();
        progress.failed(new IllegalStateException("Redis unreachable"), Optional.empty());
        clock.pass(Duration.ofSeconds(89));
        assertThat(meters.get("track.consume.failing").gauge().value()).isEqualTo(89);

        clock.pass(Duration.ofSeconds(2));

        assertThat(meters.get("track.consume.failing").gauge().value()).isZero();
        assertThat(progress.health().getStatus()).isEqualTo(Status.UP);
    }
}
