package dev.trackpipeline.writer.store;

import com.mongodb.ConnectionString;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoDatabase;
import dev.trackpipeline.model.infra.InfrastructureDefaults;
import java.util.Objects;
import org.bson.Document;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class MongoConfiguration {

    /** The database named in MONGODB_URI, or {@code track}. */
    @Bean
    MongoDatabase trackDatabase(MongoClient client, @Value("${spring.mongodb.uri}") String uri) {
        String name = Objects.requireNonNullElse(new ConnectionString(uri).getDatabase(), InfrastructureDefaults.MONGO_DATABASE);
        return client.getDatabase(name);
    }

    /** Answers with {@code ping}, which both real MongoDB and the MongoDB-wire stand-in understand. */
    @Bean
    AbstractHealthIndicator mongoPingHealthIndicator(MongoDatabase database) {
        return new AbstractHealthIndicator("MongoDB ping failed") {
            @Override
            protected void doHealthCheck(Health.Builder builder) {
                database.runCommand(new Document("ping", 1));
                builder.up().withDetail("database", database.getName());
            }
        };
    }
}
