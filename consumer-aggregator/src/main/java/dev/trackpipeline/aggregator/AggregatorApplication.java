package dev.trackpipeline.aggregator;

import dev.trackpipeline.runtime.TrackServiceApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Kafka to Redis: exact rolling metrics per project, and the metrics API. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class AggregatorApplication {

    public static void main(String[] args) {
        TrackServiceApplication.run(AggregatorApplication.class, args);
    }
}
