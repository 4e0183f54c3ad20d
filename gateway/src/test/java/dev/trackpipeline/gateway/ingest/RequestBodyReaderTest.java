package dev.trackpipeline.gateway.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trackpipeline.model.Outcome;
import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.model.event.EventValidator;
import dev.trackpipeline.model.fixtures.WebSeeFixtures;
import dev.trackpipeline.model.ingest.IngestBatch;
import dev.trackpipeline.model.ingest.IngestBatchReader;
import dev.trackpipeline.model.ingest.IngestLimits;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

class RequestBodyReaderTest {

    private final RequestBodyReader reader = new RequestBodyReader(IngestLimits.DEFAULTS, Duration.ofSeconds(10));
    private final byte[] body = filled(300_000);

    @Test
    void holdsExactlyTheBodyOnceReadWhenItsLengthWasToldOrNot() throws IOException {
        for (long declared : new long[] {body.length, -1}) {
            ParsingMemory memory = ParsingMemory.withDefaultShares(64 << 20);
            ParsingMemory.Lease lease = memory.lease();

            byte[] read = reader.read(new ByteArrayInputStream(body), declared, null, lease);

            assertThat(read).isEqualTo(body);
            assertThat(lease.held()).isEqualTo(body.length);
            assertThat(memory.bytes()).isEqualTo(body.length);
        }
    }

    @Test
    void holdsOnlyTheDecompressedBodyOnceAGzippedOneIsRead() throws IOException {
        ParsingMemory.Lease lease = ParsingMemory.withDefaultShares(64 << 20).lease();

        byte[] read = reader.read(new ByteArrayInputStream(gzip(body)), -1, "gzip", lease);

        assertThat(read).isEqualTo(body);
        assertThat(lease.held()).isEqualTo(body.length);
    }

    @Test
    void refusesABodyItsRequestCannotHoldNowWith503AfterReadingItToTheEnd() {
        ParsingMemory memory = new ParsingMemory(100_000, 0, 0);
        memory.lease().tryTake(50_000); // another request holds half
        ParsingMemory.Lease lease = memory.lease();
        ByteArrayInputStream wire = new ByteArrayInputStream(body);

        assertThatThrownBy(() -> reader.read(wire, body.length, null, lease))
                .isInstanceOfSatisfying(IngestRefusedException.class, refused -> {
                    assertThat(refused.status()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
                    assertThat(refused.outcome()).isEqualTo(Outcome.OVERLOADED);
                });
        assertThat(wire.available()).isZero();
        lease.close();
        assertThat(memory.bytes()).isEqualTo(50_000);
    }

    @Test
    void stillRefusesAGzipBombPastTheDecompressedLimitWith413() throws IOException {
        byte[] bomb = gzip(new byte[IngestLimits.DEFAULTS.maxDecompressedBytes() + 1]);
        ParsingMemory.Lease lease = ParsingMemory.withDefaultShares(64 << 20).lease();

        assertThatThrownBy(() -> reader.read(new ByteArrayInputStream(bomb), bomb.length, "gzip", lease))
                .isInstanceOfSatisfying(IngestRefusedException.class, refused -> {
                    assertThat(refused.status()).isEqualTo(HttpStatus.PAYLOAD_TOO_LARGE);
                    assertThat(refused.getMessage()).isEqualTo("body: more than 8388608 bytes after gzip (maxDecompressedBytes)");
                });
    }

    @Test
    void readsABrowsersPostWhileGzipBombsHoldAllTheyMayAndRefusesTheNextBomb() throws IOException {
        ParsingMemory memory = ParsingMemory.withDefaultShares(64 << 20);
        byte[] bomb = gzip(new byte[IngestLimits.DEFAULTS.maxDecompressedBytes()]);
        // Five bombs being read at once, each grown to the decompressed limit (40 MiB of the 48 that large requests may hold).
        for (int bombs = 0; bombs < 5; bombs++) {
            reader.read(new ByteArrayInputStream(bomb), bomb.length, "gzip", memory.lease());
        }
        byte[] browserPost = filled(6_000);

        byte[] read = reader.read(new ByteArrayInputStream(gzip(browserPost)), -1, "gzip", memory.lease());

        assertThat(read).isEqualTo(browserPost);
        assertThatThrownBy(() -> reader.read(new ByteArrayInputStream(bomb), bomb.length, "gzip", memory.lease()))
                .isInstanceOfSatisfying(IngestRefusedException.class, refused -> assertThat(refused.outcome()).isEqualTo(Outcome.OVERLOADED));
    }

    @Test
    void readsAndParsesTheRealSdksLargestPostWhileLargeRequestsHoldAllTheyMay() throws IOException {
        ParsingMemory memory = ParsingMemory.withDefaultShares(64 << 20);
        assertThat(memory.lease().tryTake(48 << 20)).as("large requests hold all but the reserve").isTrue();
        byte[] largest = WebSeeFixtures.load().posts().stream().map(WebSeeFixtures.CapturedRequest::bodyBytes)
                .max(java.util.Comparator.comparingInt(bytes -> bytes.length)).orElseThrow();
        IngestBatchReader events = new IngestBatchReader(new EventValidator(new EventFamilies()), IngestLimits.DEFAULTS);

        try (ParsingMemory.Lease lease = memory.lease()) {
            byte[] read = reader.read(new ByteArrayInputStream(largest), largest.length, null, lease);
            IngestBatch batch = events.read(read, lease);

            assertThat(batch.rejected()).isEmpty();
            assertThat(batch.accepted()).isNotEmpty();
        }
    }

    @Test
    void refusesABodyStillArrivingAtItsDeadlineWith408ThoughEveryReadBringsABite() {
        AtomicLong now = new AtomicLong();
        RequestBodyReader timed = new RequestBodyReader(IngestLimits.DEFAULTS, Duration.ofSeconds(10), now::get);
        // a byte a second: each read returns long before any per-read timeout would end it
        Trickle wire = new Trickle(body, Duration.ofSeconds(1), now);

        assertThatThrownBy(() -> timed.read(wire, body.length, null, ParsingMemory.withDefaultShares(64 << 20).lease()))
                .isInstanceOfSatisfying(IngestRefusedException.class, refused -> {
                    assertThat(refused.status()).isEqualTo(HttpStatus.REQUEST_TIMEOUT);
                    assertThat(refused.outcome()).isEqualTo(Outcome.BODY_TIMEOUT);
                    assertThat(refused.getMessage()).isEqualTo("body: not received within 10s (bodyReadTimeout)");
                });
        assertThat(wire.served).as("bytes read before the refusal").isEqualTo(11);
    }

    @Test
    void readsABodyThatIsAllThereByItsDeadlineHoweverSlowlyItCame() throws IOException {
        AtomicLong now = new AtomicLong();
        RequestBodyReader timed = new RequestBodyReader(IngestLimits.DEFAULTS, Duration.ofSeconds(10), now::get);
        byte[] small = filled(9);

        byte[] read = timed.read(new Trickle(small, Duration.ofSeconds(1), now), small.length, null,
                ParsingMemory.withDefaultShares(64 << 20).lease());

        assertThat(read).isEqualTo(small);
    }

    @Test
    void refusesABodyWhoseReadTimedOutWith408() {
        // what Tomcat throws when its wait for the next bytes of a body runs out
        InputStream stalled = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("client abort", new SocketTimeoutException());
            }
        };

        assertThatThrownBy(() -> reader.read(stalled, body.length, null, ParsingMemory.withDefaultShares(64 << 20).lease()))
                .isInstanceOfSatisfying(IngestRefusedException.class, refused -> {
                    assertThat(refused.status()).isEqualTo(HttpStatus.REQUEST_TIMEOUT);
                    assertThat(refused.outcome()).isEqualTo(Outcome.BODY_TIMEOUT);
                });
    }

    @Test
    void stopsDroppingTheRestOfABodyRefusedForMemoryAtItsDeadline() {
        AtomicLong now = new AtomicLong();
        RequestBodyReader timed = new RequestBodyReader(IngestLimits.DEFAULTS, Duration.ofSeconds(10), now::get);
        ParsingMemory memory = new ParsingMemory(100_000, 0, 0);
        memory.lease().tryTake(100_000); // other requests hold it all
        Trickle wire = new Trickle(body, Duration.ofSeconds(1), now);

        assertThatThrownBy(() -> timed.read(wire, body.length, null, memory.lease()))
                .isInstanceOfSatisfying(IngestRefusedException.class, refused -> assertThat(refused.outcome()).isEqualTo(Outcome.BODY_TIMEOUT));
        assertThat(wire.served).isLessThan(body.length);
    }

    /** A body that comes one byte at a time, each {@code pace} after the one before. */
    private static final class Trickle extends InputStream {

        private final byte[] bytes;
        private final long paceNanos;
        private final AtomicLong now;
        int served;

        Trickle(byte[] bytes, Duration pace, AtomicLong now) {
            this.bytes = bytes;
            this.paceNanos = pace.toNanos();
            this.now = now;
        }

        @Override
        public int read() {
            if (served == bytes.length) {
                return -1;
            }
            now.addAndGet(paceNanos);
            return bytes[served++];
        }

        @Override
        public int read(byte[] into, int offset, int length) {
            if (length == 0) {
                return 0;
            }
            int next = read();
            if (next == -1) {
                return -1;
            }
            into[offset] = (byte) next;
            return 1;
        }
    }

    private static byte[] filled(int length) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) 'x');
        return bytes;
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(bytes);
        }
        return out.toByteArray();
    }
}
