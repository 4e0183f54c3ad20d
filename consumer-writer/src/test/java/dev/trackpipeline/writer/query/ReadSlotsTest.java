package dev.trackpipeline.writer.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trackpipeline.runtime.ApiException;
import dev.trackpipeline.writer.WriterProperties;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.util.unit.DataSize;

/** Pages are read a few at a time: the budget bounds one answer, the slots how many are held together. */
class ReadSlotsTest {

    final ReadSlots oneSlot = slots(1);

    static ReadSlots slots(int concurrentReads) {
        return new ReadSlots(new WriterProperties("slots-test", Map.of(), Duration.ofSeconds(5), Duration.ofSeconds(60),
                new WriterProperties.Read(DataSize.ofMegabytes(4), 10_000, 4, concurrentReads, Duration.ofMillis(200), Duration.ofSeconds(10), 20_000)));
    }

    @Test
    void aReadFindingEverySlotTakenForTheWholeWaitIsAnsweredServiceUnavailableAndTheNextOneAfterItIsServed() throws Exception {
        try (HeldRead first = new HeldRead(oneSlot, "another-project")) {
            assertThatThrownBy(() -> oneSlot.read("shop", () -> "second")).isInstanceOfSatisfying(ApiException.class, refused -> {
                assertThat(refused.status()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
                assertThat(refused.getMessage()).isEqualTo("too many pages being read at once (track.writer.read.concurrent-reads); try again shortly");
            });
            assertThat(first.release()).isEqualTo("held by another-project");
        }
        assertThat(oneSlot.read("shop", () -> "third")).isEqualTo("third");
    }

    @Test
    void oneProjectHoldsEverySlotButOneSoAnotherProjectsReadIsServedMeanwhile() throws Exception {
        ReadSlots twoSlots = slots(2);
        try (HeldRead slow = new HeldRead(twoSlots, "filled")) {
            assertThatThrownBy(() -> twoSlots.read("filled", () -> "second of the same project")).isInstanceOfSatisfying(ApiException.class,
                    refused -> {
                        assertThat(refused.status()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
                        assertThat(refused.getMessage()).isEqualTo("this project's reads hold 1 of the read slots already, as many as one project"
                                + " may (every slot of track.writer.read.concurrent-reads but one); try again shortly");
                    });
            assertThat(twoSlots.read("shop", () -> "another project's")).isEqualTo("another project's");

            assertThat(slow.release()).isEqualTo("held by filled");
        }
        assertThat(twoSlots.read("filled", () -> "once its first read ended")).isEqualTo("once its first read ended");
    }

    @Test
    void aReadThatFailsGivesItsSlotBack() {
        assertThatThrownBy(() -> oneSlot.read("shop", () -> {
            throw new ApiException(HttpStatus.NOT_FOUND, "no such recording");
        })).hasMessage("no such recording");

        assertThat(oneSlot.read("shop", () -> "next")).isEqualTo("next");
    }

    @Test
    void refusesSettingsThatWouldAllowNoRead() {
        assertThatThrownBy(() -> new WriterProperties.Read(DataSize.ofMegabytes(4), 10_000, 4, 0, Duration.ofSeconds(2), Duration.ofSeconds(10), 20_000))
                .hasMessage("track.writer.read.concurrent-reads: must be 1 or more, got 0");
    }
}
