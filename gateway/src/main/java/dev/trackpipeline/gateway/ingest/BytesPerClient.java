package dev.trackpipeline.gateway.ingest;

import dev.trackpipeline.model.Outcome;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import org.springframework.http.HttpStatus;

/**
 * Bounds the bytes of request bodies, after gzip, that one client address has read ({@link ClientBytes}):
 * each address's bucket is charged as its body comes out of the wire or out of gzip, and when it is
 * spent the read stops there, before the rest is read, decompressed or parsed. A refusal is the same
 * 429 {@code too_many_requests} as the request rate's, the rest of the body left unread and the
 * connection closed ({@link SlowBodyReads}). Bytes read are spent whatever the answer: the work is done.
 *
 * <p>Buckets are kept in {@link BoundedBuckets}, like the request rate's; an IPv6 address counts by
 * its /64 ({@link ClientBlock}).
 */
final class BytesPerClient {

    private final ClientBytes limit;
    private final BoundedBuckets<String> buckets;

    BytesPerClient(ClientBytes limit, TimeMeter time) {
        this.limit = limit;
        this.buckets = new BoundedBuckets<>(limit.maxClients(), time);
    }

    /**
     * {@code body} as it is read, charging {@code address}'s bucket.
     *
     * @return a stream whose reads throw {@link IngestRefusedException} 429 {@link Outcome#TOO_MANY_REQUESTS}
     *         once the address has no bytes left, with when the body read so far would fit again
     */
    InputStream charged(String address, InputStream body) {
        Bucket bucket = buckets.of(ClientBlock.of(address), key -> BoundedBuckets.perSecond(limit.perSecond().toBytes(),
                limit.burst().toBytes()));
        return new Charged(body, bucket);
    }

    /** Addresses whose buckets are kept now. */
    long addresses() {
        return buckets.size();
    }

    private final class Charged extends FilterInputStream {

        private final Bucket bucket;
        private long read;

        Charged(InputStream body, Bucket bucket) {
            super(body);
            this.bucket = bucket;
        }

        @Override
        public int read() throws IOException {
            int next = super.read();
            if (next != -1) {
                charge(1);
            }
            return next;
        }

        @Override
        public int read(byte[] into, int offset, int length) throws IOException {
            int count = super.read(into, offset, length);
            if (count > 0) {
                charge(count);
            }
            return count;
        }

        private void charge(int bytes) {
            read += bytes;
            if (bucket.tryConsumeAsMuchAsPossible(bytes) < bytes) {
                long wanted = Math.min(read, limit.burst().toBytes());
                throw new IngestRefusedException(HttpStatus.TOO_MANY_REQUESTS, Outcome.TOO_MANY_REQUESTS,
                        "client: more than " + limit.perSecond().toBytes() + " bytes/s of request bodies after gzip (burst "
                                + limit.burst().toBytes() + ") from this address (clientBytes); the rest was not read, retry later",
                        Duration.ofNanos(bucket.estimateAbilityToConsume(wanted).getNanosToWaitForRefill()));
            }
        }
    }
}
