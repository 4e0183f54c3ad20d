package dev.trackpipeline.gateway.ingest;

import java.time.Duration;
import org.springframework.util.unit.DataSize;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param publishTimeout how long a request waits for Kafka's acknowledgement before a 503
 * @param retryAfter     what a 503 tells the client to wait before retrying
 * @param clientHashSalt salt of the client-address hash in the Kafka headers
 * @param maxInFlight    most bytes of accepted events waiting for Kafka at once; beyond it requests
 *                       are answered 503 (see {@link InFlightEvents}); a quarter of it is kept for
 *                       requests of at most 1 MiB of events
 * @param maxParsing     most heap that requests being read and parsed hold at once (bodies, the
 *                       events cut out of them, their trees); beyond it requests are answered 503
 *                       (see {@link ParsingMemory}); a quarter of it is kept for requests that hold at
 *                       most 3 MiB, so large hostile bodies cannot keep browsers' posts out
 * @param bodyReadTimeout       a request body not fully received this long after its read began is
 *                              answered 408 {@code body_timeout}; Tomcat's wait for each read of a
 *                              body is set to the same, so a client that stops sending is answered
 *                              too (see {@link SlowBodyReads})
 * @param maxBodyReadsPerClient most request bodies read at once from one client address; beyond it a
 *                              request is answered 503 {@code too_many_body_reads} before any of its
 *                              body is read (see {@link BodyReadsPerClient})
 * @param clientShare           how much of its project's rate limit one client address may use
 *                              (see {@link ClientShare}, {@link ProjectRateLimits})
 * @param clientRequests        requests one client address may send, checked before its body is
 *                              read (see {@link RequestsPerClient})
 * @param clientBytes           bytes of bodies, after gzip, one client address may have read, charged
 *                              as they are read (see {@link BytesPerClient})
 */
@ConfigurationProperties("track.gateway")
public record GatewayProperties(@DefaultValue("10s") Duration publishTimeout, @DefaultValue("5s") Duration retryAfter,
                                @DefaultValue("track-pipeline") String clientHashSalt,
                                @DefaultValue("32MB") DataSize maxInFlight, @DefaultValue("64MB") DataSize maxParsing,
                                @DefaultValue("10s") Duration bodyReadTimeout, @DefaultValue("16") int maxBodyReadsPerClient,
                                @DefaultValue ClientShare clientShare, @DefaultValue ClientRequests clientRequests,
                                @DefaultValue ClientBytes clientBytes) {

    public GatewayProperties {
        if (bodyReadTimeout.toMillis() < 1 || bodyReadTimeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("track.gateway.body-read-timeout: must be at least 1ms and fit Tomcat's"
                    + " millisecond timeouts, got " + bodyReadTimeout);
        }
        if (maxBodyReadsPerClient < 1) {
            throw new IllegalArgumentException("track.gateway.max-body-reads-per-client: must be at least 1, got " + maxBodyReadsPerClient);
        }
    }
}
