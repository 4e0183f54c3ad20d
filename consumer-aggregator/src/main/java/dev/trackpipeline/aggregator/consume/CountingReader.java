package dev.trackpipeline.aggregator.consume;

import dev.trackpipeline.model.event.EventValidator;
import dev.trackpipeline.model.event.ReplayChunkEvents;
import dev.trackpipeline.model.ingest.IngestLimits;
import dev.trackpipeline.model.kafka.EventRecordReader;
import java.util.Set;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The aggregator counts a session-replay chunk but never looks inside it, and the chunks are half
 * the bytes of the SDK's traffic: its reader skips the recording instead of decoding it (it
 * still accepts and refuses exactly what the writer's reader does).
 */
@Configuration(proxyBeanMethods = false)
public class CountingReader {

    /** The aggregator's reader; public for the benchmark, which measures it beside the writer's. */
    public static EventRecordReader of(EventValidator validator, IngestLimits limits) {
        return new EventRecordReader(validator, limits, Set.of(ReplayChunkEvents.PAYLOAD));
    }

    @Bean
    EventRecordReader eventRecordReader(EventValidator validator, IngestLimits limits) {
        return of(validator, limits);
    }
}
