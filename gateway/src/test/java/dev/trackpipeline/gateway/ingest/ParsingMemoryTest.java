package dev.trackpipeline.gateway.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ParsingMemoryTest {

    @Test
    void grantsRequestsUntilTheirBytesWouldPassTheLimitAndAgainOnceTheyAreDone() {
        ParsingMemory memory = new ParsingMemory(10_000, 0, 0);
        ParsingMemory.Lease first = memory.lease();
        ParsingMemory.Lease second = memory.lease();

        assertThat(first.tryTake(6_000)).isTrue();
        assertThat(second.tryTake(4_000)).isTrue();
        assertThat(second.tryTake(1)).isFalse();
        first.close();
        assertThat(second.tryTake(5_000)).isTrue();
        assertThat(memory.bytes()).isEqualTo(9_000);
    }

    @Test
    void alwaysGrantsARequestThatIsTheOnlyOneHoldingAnythingHoweverMuchItNeeds() {
        ParsingMemory memory = new ParsingMemory(1_000, 0, 0);
        ParsingMemory.Lease alone = memory.lease();
        ParsingMemory.Lease other = memory.lease();

        assertThat(alone.tryTake(4_000_000)).isTrue();
        assertThat(alone.tryTake(4_000_000)).isTrue();
        assertThat(other.tryTake(1)).isFalse();
        alone.close();
        assertThat(other.tryTake(1)).isTrue();
    }

    @Test
    void givesBackWhatARequestStillHoldsWhenItEnds() {
        ParsingMemory memory = new ParsingMemory(10_000, 0, 0);
        try (ParsingMemory.Lease lease = memory.lease()) {
            lease.tryTake(3_000);
            lease.tryTake(2_000);
            lease.giveBack(3_000);
            assertThat(lease.held()).isEqualTo(2_000);
        }
        assertThat(memory.bytes()).isZero();
    }

    @Test
    void keepsItsReserveForSmallRequestsWhileLargeOnesHoldTheRest() {
        ParsingMemory memory = new ParsingMemory(10_000, 500, 2_000);
        ParsingMemory.Lease bomb = memory.lease();
        ParsingMemory.Lease otherBomb = memory.lease();

        assertThat(bomb.tryTake(5_000)).isTrue();
        assertThat(otherBomb.tryTake(3_000)).isTrue();
        assertThat(otherBomb.tryTake(1)).as("a large request cannot take the reserve").isFalse();

        ParsingMemory.Lease browser = memory.lease();
        ParsingMemory.Lease anotherBrowser = memory.lease();
        assertThat(browser.tryTake(300)).isTrue();
        assertThat(browser.tryTake(200)).isTrue();
        assertThat(browser.tryTake(1)).as("past the small size, a request is large").isFalse();
        assertThat(anotherBrowser.tryTake(500)).isTrue();
        assertThat(memory.bytes()).isEqualTo(9_000);
    }

    @Test
    void refusesAReserveLargerThanTheLimit() {
        assertThatThrownBy(() -> new ParsingMemory(1_000, 100, 2_000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot exceed the parsing limit");
    }
}
