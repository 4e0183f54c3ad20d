package dev.trackpipeline.gateway.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trackpipeline.model.project.Project;
import org.junit.jupiter.api.Test;

class ClientShareTest {

    private final ClientShare share = new ClientShare(10, 20, 60, 20_000);

    @Test
    void isTheConfiguredPercentOfTheProjectsRateAndBurst() {
        assertThat(share.of(Project.RateLimit.DEFAULT)).hasValue(new Project.RateLimit(100, 200));
    }

    @Test
    void isNeverBelowTheFloorNorAboveTheProjectsOwnLimit() {
        assertThat(share.of(new Project.RateLimit(50, 1000))).hasValue(new Project.RateLimit(20, 100));
        assertThat(share.of(new Project.RateLimit(10, 1000))).hasValue(new Project.RateLimit(10, 100));
    }

    @Test
    void isNoneWhenItWouldBeTheProjectsWholeLimit() {
        assertThat(share.of(new Project.RateLimit(1, 2))).isEmpty();
        assertThat(new ClientShare(100, 1, 1, 1).of(Project.RateLimit.DEFAULT)).isEmpty();
    }

    @Test
    void refusesAPercentOutsideOneToAHundred() {
        assertThatThrownBy(() -> new ClientShare(0, 20, 60, 20_000))
                .hasMessage("track.gateway.client-share.percent: must be 1 to 100, got 0");
        assertThatThrownBy(() -> new ClientShare(101, 20, 60, 20_000)).isInstanceOf(IllegalArgumentException.class);
    }
}
