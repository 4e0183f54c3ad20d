package dev.trackpipeline.runtime;

import dev.trackpipeline.model.infra.InfrastructureDefaults;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts one of the three services. The infrastructure defaults come from common-model, so a
 * service run on its own finds what {@code bin/track infra} started, and a user's
 * {@code KAFKA_BOOTSTRAP_SERVERS}, {@code MONGODB_URI} or {@code REDIS_*} replaces them
 * (see track-service.yml).
 */
public final class TrackServiceApplication {

    private TrackServiceApplication() {
    }

    public static ConfigurableApplicationContext run(Class<?> service, String[] args) {
        SpringApplication application = new SpringApplication(service);
        application.setDefaultProperties(Map.of(
                "track.defaults.kafka-bootstrap-servers", InfrastructureDefaults.kafkaBootstrapServers(),
                "track.defaults.mongodb-uri", InfrastructureDefaults.mongoUri(),
                "track.defaults.redis-host", InfrastructureDefaults.HOST,
                "track.defaults.redis-port", String.valueOf(InfrastructureDefaults.REDIS_PORT)));
        return application.run(args);
    }
}
