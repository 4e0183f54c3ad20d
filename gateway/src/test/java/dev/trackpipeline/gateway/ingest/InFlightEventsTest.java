package dev.trackpipeline.gateway.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InFlightEventsTest {

    @Test
    void admitsEventsUntilTheirBytesWouldPassTheLimitAndAgainOnceTheyAreAcknowledged() {
        InFlightEvents inFlight = new InFlightEvents(10_000);

        assertThat(inFlight.tryAdmit(6_000)).isTrue();
        assertThat(inFlight.tryAdmit(4_000)).isTrue();
        assertThat(inFlight.tryAdmit(1)).isFalse();
        inFlight.release(6_000);
        assertThat(inFlight.tryAdmit(5_000)).isTrue();
        assertThat(inFlight.bytes()).isEqualTo(9_000);
    }

    @Test
    void alwaysAdmitsARequestWhenNothingIsInFlightHoweverLarge() {
        InFlightEvents inFlight = new InFlightEvents(1_000);

        assertThat(inFlight.tryAdmit(4_000_000)).isTrue();
        assertThat(inFlight.tryAdmit(1)).isFalse();
        inFlight.release(4_000_000);
        assertThat(inFlight.bytes()).isZero();
    }
}
