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
 */
@ConfigurationProperties("track.gateway")
public record GatewayProperties(@DefaultValue("10s") Duration publishTimeout, @DefaultValue("5s") Duration retryAfter,
                                @DefaultValue("track-pipeline") String clientHashSalt,
                                @DefaultValue("32MB") DataSize maxInFlight, @DefaultValue("64MB") DataSize maxParsing) {
}
