package dev.trackpipeline.gateway.ingest;

import dev.trackpipeline.model.Outcome;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import org.springframework.http.HttpStatus;

/**
 * Bounds the requests one client address sends ({@link ClientRequests}), checked before any of the
 * body is read: the apikey, and so the project's limit, is inside the body, which may be 8 MiB of
 * JSON once decompressed, so without this each request is read and parsed before its client could
 * be refused. A refusal is a 429 with Retry-After, and the body is left unread: the connection is
 * closed rather than drained (see {@link SlowBodyReads}).
 *
 * <p>Buckets are kept in {@link BoundedBuckets}: an address whose bucket was dropped starts with a
 * full one, and what many addresses together can make the gateway parse is bounded anyway, by the
 * parsing memory and the request threads.
 */
final class RequestsPerClient {

    private final ClientRequests limit;
    private final BoundedBuckets<String> buckets;

    RequestsPerClient(ClientRequests limit, TimeMeter time) {
        this.limit = limit;
        this.buckets = new BoundedBuckets<>(limit.maxClients(), time);
    }

    /**
     * @param address the client's address, as {@link jakarta.servlet.ServletRequest#getRemoteAddr()} resolves it;
     *                an IPv6 one is counted by its /64 ({@link ClientBlock})
     * @throws IngestRefusedException 429 {@link Outcome#TOO_MANY_REQUESTS} when {@code address} has
     *                                sent its requests for now, with when the next one fits
     */
    void admit(String address) {
        ConsumptionProbe probe = buckets.of(ClientBlock.of(address), key -> BoundedBuckets.perSecond(limit.perSecond(), limit.burst()))
                .tryConsumeAndReturnRemaining(1);
        if (!probe.isConsumed()) {
            throw new IngestRefusedException(HttpStatus.TOO_MANY_REQUESTS, Outcome.TOO_MANY_REQUESTS,
                    "client: more than " + limit.perSecond() + " requests/s (burst " + limit.burst() + ") from this address"
                            + " (clientRequests); nothing was read, retry later",
                    Duration.ofNanos(probe.getNanosToWaitForRefill()));
        }
    }

    /** Addresses whose buckets are kept now. */
    long addresses() {
        return buckets.size();
    }
}
