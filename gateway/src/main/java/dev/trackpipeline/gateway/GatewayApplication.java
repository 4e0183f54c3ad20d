package dev.trackpipeline.gateway;

import dev.trackpipeline.runtime.TrackServiceApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The only door SDKs see: validates events and answers 202 once Kafka holds them. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class GatewayApplication {

    public static void main(String[] args) {
        TrackServiceApplication.run(GatewayApplication.class, args);
    }
}
