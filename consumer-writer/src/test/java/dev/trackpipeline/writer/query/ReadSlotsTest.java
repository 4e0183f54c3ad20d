package dev.trackpipeline.writer.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trackpipeline.runtime.ApiException;
import dev.trackpipeline.writer.WriterProperties;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.util.unit.DataSize;

/** Pages are read a few at a time: the budget bounds one answer, the slots how many are held together. */
class ReadSlotsTest {

    final ReadSlots oneSlot = new ReadSlots(new WriterProperties("slots-test", Map.of(), Duration.ofSeconds(5), Duration.ofSeconds(60),
            new WriterProperties.Read(DataSize.ofMegabytes(4), 10_000, 4, 1, Duration.ofMillis(200), Duration.ofSeconds(10))));

    @Test
    void aReadFindingEverySlotTakenForTheWholeWaitIsAnsweredServiceUnavailableAndTheNextOneAfterItIsServed() throws Exception {
        CountDownLatch reading = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> oneSlot.read(() -> {
            reading.countDown();
            try {
                finish.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "first";
        }));
        assertThat(reading.await(30, TimeUnit.SECONDS)).isTrue();

        assertThatThrownBy(() -> oneSlot.read(() -> "second")).isInstanceOfSatisfying(ApiException.class, refused -> {
            assertThat(refused.status()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
            assertThat(refused.getMessage()).isEqualTo("too many pages being read at once (track.writer.read.concurrent-reads); try again shortly");
        });
        finish.countDown();
        assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo("first");
        assertThat(oneSlot.read(() -> "third")).isEqualTo("third");
    }

    @Test
    void aReadThatFailsGivesItsSlotBack() {
        assertThatThrownBy(() -> oneSlot.read(() -> {
            throw new ApiException(HttpStatus.NOT_FOUND, "no such recording");
        })).hasMessage("no such recording");

        assertThat(oneSlot.read(() -> "next")).isEqualTo("next");
    }

    @Test
    void refusesSettingsThatWouldAllowNoRead() {
        assertThatThrownBy(() -> new WriterProperties.Read(DataSize.ofMegabytes(4), 10_000, 4, 0, Duration.ofSeconds(2), Duration.ofSeconds(10)))
                .hasMessage("track.writer.read.concurrent-reads: must be 1 or more, got 0");
    }
}
