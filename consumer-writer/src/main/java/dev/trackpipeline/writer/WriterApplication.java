package dev.trackpipeline.writer;

import dev.trackpipeline.runtime.TrackServiceApplication;
import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.info.Info;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Kafka to MongoDB: every event stored exactly once, and the query API over them. */
@SpringBootApplication
@OpenAPIDefinition(info = @Info(title = "track-pipeline consumer-writer", version = "0.1.0", description = "Query API over the events stored in MongoDB. Every /api call needs the project's read token."))
@ConfigurationPropertiesScan
public class WriterApplication {

    public static void main(String[] args) {
        TrackServiceApplication.run(WriterApplication.class, args);
    }
}
