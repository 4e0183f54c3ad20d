package dev.trackpipeline.gateway.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ParsingMemoryTest {

    @Test
    void grantsRequestsUntilTheirBytesWouldPassTheLimitAndAgainOnceTheyAreDone() {
        ParsingMemory memory = new ParsingMemory(10_000);
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
        ParsingMemory memory = new ParsingMemory(1_000);
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
        ParsingMemory memory = new ParsingMemory(10_000);
        try (ParsingMemory.Lease lease = memory.lease()) {
            lease.tryTake(3_000);
            lease.tryTake(2_000);
            lease.giveBack(3_000);
            assertThat(lease.held()).isEqualTo(2_000);
        }
        assertThat(memory.bytes()).isZero();
    }
}
