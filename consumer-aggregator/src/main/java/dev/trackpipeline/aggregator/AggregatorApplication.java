package dev.trackpipeline.aggregator;

import dev.trackpipeline.runtime.TrackServiceApplication;
import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.info.Info;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Kafka to Redis: exact rolling metrics per project, and the metrics API. */
@SpringBootApplication
@OpenAPIDefinition(info = @Info(title = "track-pipeline consumer-aggregator", version = "0.1.0", description = "Metrics API over the rolling metrics in Redis. Every /api call needs the project's read token."))
@ConfigurationPropertiesScan
public class AggregatorApplication {

    public static void main(String[] args) {
        TrackServiceApplication.run(AggregatorApplication.class, args);
    }
}
