package dev.trackpipeline.gateway.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trackpipeline.model.Outcome;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

/** The requests one address may send, checked before any of a body is read. */
class RequestsPerClientTest {

    private final ManualTime time = new ManualTime();
    private final RequestsPerClient requests = new RequestsPerClient(new ClientRequests(10, 30, 100), time);

    @Test
    void refusesAnAddressOverItsRateWith429AndWhenToRetryWhileOtherAddressesAreStillAdmitted() {
        for (int i = 0; i < 30; i++) {
            requests.admit("198.51.100.7");
        }

        assertThatThrownBy(() -> requests.admit("198.51.100.7"))
                .isInstanceOfSatisfying(IngestRefusedException.class, refused -> {
                    assertThat(refused.status()).isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
                    assertThat(refused.outcome()).isEqualTo(Outcome.TOO_MANY_REQUESTS);
                    assertThat(refused.getMessage()).isEqualTo("client: more than 10 requests/s (burst 30) from this address"
                            + " (clientRequests); nothing was read, retry later");
                    assertThat(refused.retryAfter()).hasValue(Duration.ofMillis(100));
                });
        assertThatCode(() -> requests.admit("203.0.113.9")).doesNotThrowAnyException();
    }

    @Test
    void admitsAnAddressAgainAsItsBucketRefills() {
        for (int i = 0; i < 30; i++) {
            requests.admit("198.51.100.7");
        }

        time.advance(Duration.ofMillis(200));

        assertThatCode(() -> requests.admit("198.51.100.7")).doesNotThrowAnyException();
        assertThatCode(() -> requests.admit("198.51.100.7")).doesNotThrowAnyException();
        assertThatThrownBy(() -> requests.admit("198.51.100.7")).isInstanceOf(IngestRefusedException.class);
    }

    @Test
    void keepsAtMostItsBoundOfAddressesHoweverManyCome() {
        for (int address = 0; address < 100_000; address++) {
            requests.admit("10." + (address >> 16) + "." + (address >> 8 & 255) + "." + (address & 255));
        }

        assertThat(requests.addresses()).isEqualTo(100);
    }

    @Test
    void refusesASettingThatWouldRefuseEveryone() {
        assertThatThrownBy(() -> new ClientRequests(0, 30, 100))
                .hasMessage("track.gateway.client-requests: per-second, burst and max-clients must be at least 1, got 0, 30, 100");
    }
}
