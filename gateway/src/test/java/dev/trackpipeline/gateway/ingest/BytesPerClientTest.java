package dev.trackpipeline.gateway.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trackpipeline.model.Outcome;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.util.unit.DataSize;

/** The bytes of bodies one address may have read, charged as they are read, so costly bodies cost their client. */
class BytesPerClientTest {

    private final ManualTime time = new ManualTime();
    private final BytesPerClient bytes = new BytesPerClient(new ClientBytes(DataSize.ofBytes(1000), DataSize.ofBytes(3000), 100), time);

    @Test
    void readsABodyWithinWhatItsAddressMayHaveRead() throws IOException {
        assertThat(bytes.charged("198.51.100.7", body(3000)).readAllBytes()).hasSize(3000);
    }

    @Test
    void stopsReadingABodyOnceItsAddressHasSpentItsBytesWith429AndWhenItWouldFit() throws IOException {
        bytes.charged("198.51.100.7", body(2000)).readAllBytes();
        InputStream second = bytes.charged("198.51.100.7", body(4000));
        byte[] chunk = new byte[500];

        assertThat(second.read(chunk)).isEqualTo(500);
        assertThat(second.read(chunk)).isEqualTo(500);
        assertThatThrownBy(() -> second.read(chunk)).isInstanceOfSatisfying(IngestRefusedException.class, refused -> {
            assertThat(refused.status()).isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
            assertThat(refused.outcome()).isEqualTo(Outcome.TOO_MANY_REQUESTS);
            assertThat(refused.getMessage()).isEqualTo("client: more than 1000 bytes/s of request bodies after gzip (burst 3000)"
                    + " from this address (clientBytes); the rest was not read, retry later");
            assertThat(refused.retryAfter()).hasValue(Duration.ofMillis(1500));
        });
    }

    @Test
    void chargesEachAddressAloneAndAnIpv6OneByItsSlash64() throws IOException {
        bytes.charged("2001:db8:0:1::1", body(3000)).readAllBytes();

        assertThatThrownBy(() -> bytes.charged("2001:db8:0:1::2", body(1)).readAllBytes()).isInstanceOf(IngestRefusedException.class);
        assertThat(bytes.charged("198.51.100.8", body(3000)).readAllBytes()).hasSize(3000);
    }

    @Test
    void letsAnAddressReadAgainAsItsBucketRefills() throws IOException {
        bytes.charged("198.51.100.7", body(3000)).readAllBytes();

        time.advance(Duration.ofMillis(500));

        assertThat(bytes.charged("198.51.100.7", body(500)).readAllBytes()).hasSize(500);
        assertThatThrownBy(() -> bytes.charged("198.51.100.7", body(1)).read()).isInstanceOf(IngestRefusedException.class);
    }

    @Test
    void keepsAtMostItsBoundOfAddressesHoweverManyCome() throws IOException {
        for (int address = 0; address < 10_000; address++) {
            bytes.charged("10.0." + (address >> 8) + "." + (address & 255), body(1)).readAllBytes();
        }

        assertThat(bytes.addresses()).isEqualTo(100);
    }

    @Test
    void refusesASettingThatWouldRefuseEveryone() {
        assertThatThrownBy(() -> new ClientBytes(DataSize.ofBytes(0), DataSize.ofBytes(1), 1))
                .hasMessage("track.gateway.client-bytes: per-second, burst and max-clients must be at least 1, got 0B, 1B, 1");
    }

    @Test
    void refusesARateItsBucketsCannotRefillAtRatherThanFailingAtTheFirstRequest() {
        assertThatThrownBy(() -> new ClientBytes(DataSize.ofGigabytes(1), DataSize.ofGigabytes(1), 1))
                .hasMessage("track.gateway.client-bytes.per-second: at most 1000000000 bytes a second (900MB fits), got 1073741824B");
    }

    private static InputStream body(int size) {
        return new ByteArrayInputStream(new byte[size]);
    }
}
