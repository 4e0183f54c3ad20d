package dev.trackpipeline.gateway.ingest;

import dev.trackpipeline.model.event.EventValidator;
import dev.trackpipeline.model.ingest.IngestBatchReader;
import dev.trackpipeline.model.ingest.IngestLimits;
import dev.trackpipeline.model.metrics.TrackMeters;
import io.github.bucket4j.TimeMeter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class IngestConfiguration {

    @Bean
    IngestBatchReader ingestBatchReader(EventValidator validator, IngestLimits limits) {
        return new IngestBatchReader(validator, limits);
    }

    @Bean
    ParsingMemory parsingMemory(GatewayProperties properties, MeterRegistry meters) {
        ParsingMemory parsing = ParsingMemory.withDefaultShares(properties.maxParsing().toBytes());
        meters.gauge(TrackMeters.INGEST_PARSING_BYTES, parsing, ParsingMemory::bytes);
        return parsing;
    }

    @Bean
    BodyReadsPerClient bodyReadsPerClient(GatewayProperties properties, MeterRegistry meters) {
        BodyReadsPerClient bodyReads = new BodyReadsPerClient(properties.maxBodyReadsPerClient());
        meters.gauge(TrackMeters.INGEST_BODY_READS, bodyReads, BodyReadsPerClient::reads);
        meters.gauge(TrackMeters.INGEST_BODY_READ_CLIENTS, bodyReads, BodyReadsPerClient::addresses);
        return bodyReads;
    }

    @Bean
    ProjectRateLimits projectRateLimits(GatewayProperties properties, TimeMeter rateLimitTime) {
        return new ProjectRateLimits(properties.clientShare(), rateLimitTime);
    }

    @Bean
    RequestsPerClient requestsPerClient(GatewayProperties properties, TimeMeter rateLimitTime) {
        return new RequestsPerClient(properties.clientRequests(), rateLimitTime);
    }

    @Bean
    BytesPerClient bytesPerClient(GatewayProperties properties, TimeMeter rateLimitTime) {
        return new BytesPerClient(properties.clientBytes(), rateLimitTime);
    }

    /** The rate limits' clock. */
    @Bean
    TimeMeter rateLimitTime() {
        return TimeMeter.SYSTEM_MILLISECONDS;
    }

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
