package dev.trackpipeline.gateway.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InFlightEventsTest {

    @Test
    void admitsEventsUntilTheirBytesWouldPassTheLimitAndAgainOnceTheyAreAcknowledged() {
        InFlightEvents inFlight = new InFlightEvents(10_000, 0, 0);

        assertThat(inFlight.tryAdmit(6_000)).isTrue();
        assertThat(inFlight.tryAdmit(4_000)).isTrue();
        assertThat(inFlight.tryAdmit(1)).isFalse();
        inFlight.release(6_000);
        assertThat(inFlight.tryAdmit(5_000)).isTrue();
        assertThat(inFlight.bytes()).isEqualTo(9_000);
    }

    @Test
    void alwaysAdmitsARequestWhenNothingIsInFlightHoweverLarge() {
        InFlightEvents inFlight = new InFlightEvents(1_000, 0, 0);

        assertThat(inFlight.tryAdmit(4_000_000)).isTrue();
        assertThat(inFlight.tryAdmit(1)).isFalse();
        inFlight.release(4_000_000);
        assertThat(inFlight.bytes()).isZero();
    }

    @Test
    void keepsItsReserveForSmallRequestsWhileLargeOnesWaitForKafka() {
        InFlightEvents inFlight = InFlightEvents.withDefaultShares(32L << 20);
        long largestBody = 4L << 20;

        int large = 0;
        while (inFlight.tryAdmit(largestBody)) {
            large++;
        }
        int small = 0;
        while (inFlight.tryAdmit(6_000)) {
            small++;
        }

        assertThat(large).as("large requests admitted").isEqualTo(6);
        assertThat(small * 6_000L).as("bytes of small requests admitted after them: the whole reserve").isGreaterThan((8L << 20) - 6_000);
    }
}
