package dev.trackpipeline.writer.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trackpipeline.runtime.ApiException;
import dev.trackpipeline.runtime.HeldRead;
import dev.trackpipeline.writer.WriterProperties;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.util.unit.DataSize;

/**
 * Pages are read a few at a time: the budget bounds one answer, the slots how many are held
 * together, one project at most every slot but one (the rule itself: {@code ProjectReadSharesTest}).
 */
class ReadSlotsTest {

    static ReadSlots slots(int concurrentReads) {
        return new ReadSlots(new WriterProperties("slots-test", Map.of(), Duration.ofSeconds(5), Duration.ofSeconds(60),
                new WriterProperties.Read(DataSize.ofMegabytes(4), 10_000, 4, concurrentReads, Duration.ofMillis(200), Duration.ofSeconds(10), 20_000)));
    }

    @Test
    void oneProjectHoldsEverySlotButOneAndARefusalNamesTheSettingThatSetsThem() throws Exception {
        ReadSlots twoSlots = slots(2);
        try (HeldRead slow = new HeldRead(held(twoSlots), "filled")) {
            assertThatThrownBy(() -> twoSlots.read("filled", deadline -> "second of the same project")).isInstanceOfSatisfying(ApiException.class,
                    refused -> {
                        assertThat(refused.status()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
                        assertThat(refused.getMessage()).isEqualTo("this project's reads hold 1 of the reads at once already, as many as one project"
                                + " may (every one of track.writer.read.concurrent-reads but one); try again shortly");
                    });
            String another = twoSlots.read("shop", deadline -> "another project's");
            assertThat(another).isEqualTo("another project's");

            assertThat(slow.release()).isEqualTo("held by filled");
        }
    }

    /** A read that holds its slot until released, as {@link HeldRead} takes it. */
    static HeldRead.Reads held(ReadSlots slots) {
        return (apikey, read) -> slots.read(apikey, deadline -> read.get());
    }

    @Test
    void refusesSettingsThatWouldAllowNoRead() {
        assertThatThrownBy(() -> new WriterProperties.Read(DataSize.ofMegabytes(4), 10_000, 4, 0, Duration.ofSeconds(2), Duration.ofSeconds(10), 20_000))
                .hasMessage("track.writer.read.concurrent-reads: must be 1 or more, got 0");
    }
}
