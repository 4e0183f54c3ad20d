package dev.trackpipeline.gateway;

import dev.trackpipeline.runtime.TrackServiceApplication;
import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.info.Info;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The only door SDKs see: validates events and answers 202 once Kafka holds them. */
@SpringBootApplication
@OpenAPIDefinition(info = @Info(title = "track-pipeline gateway", version = "0.1.0", description = "Ingest: web-see SDK events in, 202 once Kafka holds them."))
@ConfigurationPropertiesScan
public class GatewayApplication {

    public static void main(String[] args) {
        TrackServiceApplication.run(GatewayApplication.class, args);
    }
}
