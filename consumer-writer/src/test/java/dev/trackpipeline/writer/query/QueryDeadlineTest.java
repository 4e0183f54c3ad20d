package dev.trackpipeline.writer.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trackpipeline.runtime.ApiException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

/** The queries of one read share its query timeout: each gets what is left, and none starts once it is spent. */
class QueryDeadlineTest {

    final AtomicLong now = new AtomicLong(1_000_000_000L);
    final QueryDeadline deadline = new QueryDeadline(Duration.ofSeconds(10), now::get);

    @Test
    void eachQueryGetsWhatTheQueriesBeforeItLeft() {
        assertThat(deadline.millisLeft()).isEqualTo(10_000);
        now.addAndGet(Duration.ofMillis(7_500).toNanos());

        assertThat(deadline.millisLeft()).isEqualTo(2_500);
    }

    @Test
    void cursorsReadSideBySideShareWhatIsLeftSinceTheirServerTimeAddsUp() {
        now.addAndGet(Duration.ofSeconds(4).toNanos());

        assertThat(deadline.millisLeftSharedBy(3)).isEqualTo(2_000);
    }

    /** maxTimeMS 0 is no limit at all to MongoDB: the last fraction of a millisecond is still one. */
    @Test
    void neverGivesAQueryNoLimitAtAll() {
        now.addAndGet(Duration.ofSeconds(10).toNanos() - 1);

        assertThat(deadline.millisLeftSharedBy(3)).isEqualTo(1);
    }

    @Test
    void aReadWhoseTimeIsSpentStopsBeforeItsNextQueryAnsweredServiceUnavailable() {
        now.addAndGet(Duration.ofSeconds(10).toNanos());

        assertThatThrownBy(deadline::millisLeft).isInstanceOfSatisfying(ApiException.class, refused -> {
            assertThat(refused.status()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
            assertThat(refused.getMessage()).isEqualTo(MongoUnavailableResponses.TOO_LONG);
        });
    }
}
