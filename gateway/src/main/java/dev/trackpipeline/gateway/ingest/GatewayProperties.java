package dev.trackpipeline.gateway.ingest;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param publishTimeout how long a request waits for Kafka's acknowledgement before a 503
 * @param retryAfter     what a 503 tells the client to wait before retrying
 * @param clientHashSalt salt of the client-address hash in the Kafka headers
 */
@ConfigurationProperties("track.gateway")
public record GatewayProperties(@DefaultValue("10s") Duration publishTimeout, @DefaultValue("5s") Duration retryAfter,
                                @DefaultValue("track-pipeline") String clientHashSalt) {
}
