package dev.trackpipeline.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

/** Reads run a few at once, one project holding at most all of them but one; beyond, a read waits a while, then is refused. */
class ProjectReadSharesTest {

    static final String SETTING = "track.test.reads";
    final ProjectReadShares one = shares(1);

    static ProjectReadShares shares(int concurrentReads) {
        return new ProjectReadShares(concurrentReads, Duration.ofMillis(200), SETTING);
    }

    @Test
    void aReadFindingEveryShareTakenForTheWholeWaitIsAnsweredServiceUnavailableAndTheNextOneAfterItIsServed() throws Exception {
        try (HeldRead first = new HeldRead(one::read, "another-project")) {
            assertThatThrownBy(() -> one.read("shop", () -> "second")).isInstanceOfSatisfying(ApiException.class, refused -> {
                assertThat(refused.status()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
                assertThat(refused.getMessage()).isEqualTo("too many reads at once (track.test.reads); try again shortly");
            });
            assertThat(first.release()).isEqualTo("held by another-project");
        }
        assertThat(one.read("shop", () -> "third")).isEqualTo("third");
    }

    @Test
    void oneProjectHoldsEveryReadButOneSoAnotherProjectsReadIsServedMeanwhile() throws Exception {
        ProjectReadShares three = shares(3);
        try (HeldRead slow = new HeldRead(three::read, "filled"); HeldRead slower = new HeldRead(three::read, "filled")) {
            assertThatThrownBy(() -> three.read("filled", () -> "third of the same project")).isInstanceOfSatisfying(ApiException.class,
                    refused -> {
                        assertThat(refused.status()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
                        assertThat(refused.getMessage()).isEqualTo("this project's reads hold 2 of the reads at once already, as many as one"
                                + " project may (every one of track.test.reads but one); try again shortly");
                    });
            assertThat(three.read("shop", () -> "another project's")).isEqualTo("another project's");

            assertThat(slow.release()).isEqualTo("held by filled");
            assertThat(three.read("filled", () -> "once one of its reads ended")).isEqualTo("once one of its reads ended");
            assertThat(slower.release()).isEqualTo("held by filled");
        }
    }

    @Test
    void aReadThatFailsGivesItsShareBack() {
        assertThatThrownBy(() -> one.read("shop", () -> {
            throw new ApiException(HttpStatus.NOT_FOUND, "no such recording");
        })).hasMessage("no such recording");

        assertThat(one.read("shop", () -> "next")).isEqualTo("next");
    }
}
