package dev.trackpipeline.gateway.ingest;

import dev.trackpipeline.model.event.EventValidator;
import dev.trackpipeline.model.ingest.IngestBatchReader;
import dev.trackpipeline.model.ingest.IngestLimits;
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
    Clock clock() {
        return Clock.systemUTC();
    }
}
