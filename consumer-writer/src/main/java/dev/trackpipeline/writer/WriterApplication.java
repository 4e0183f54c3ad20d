package dev.trackpipeline.writer;

import dev.trackpipeline.runtime.TrackServiceApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Kafka to MongoDB: every event stored exactly once, and the query API over them. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class WriterApplication {

    public static void main(String[] args) {
        TrackServiceApplication.run(WriterApplication.class, args);
    }
}
