package dev.trackpipeline.writer.store;

import com.mongodb.ConnectionString;
import com.mongodb.WriteConcern;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoDatabase;
import dev.trackpipeline.model.infra.InfrastructureDefaults;
import dev.trackpipeline.writer.WriterProperties;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.mongodb.autoconfigure.MongoClientSettingsBuilderCustomizer;
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

    /**
     * The driver waits 30 s by default to find a server; during an outage that holds each retry of
     * the batch for that long. A shorter wait lets the error handler's backoff do the pausing.
     */
    @Bean
    MongoClientSettingsBuilderCustomizer serverSelectionTimeout(WriterProperties properties, @Value("${spring.mongodb.uri}") String uri) {
        return settings -> {
            if (new ConnectionString(uri).getServerSelectionTimeout() == null) {
                settings.applyToClusterSettings(cluster -> cluster.serverSelectionTimeout(
                        properties.serverSelectionTimeout().toMillis(), TimeUnit.MILLISECONDS));
            }
        };
    }

    /**
     * The driver waits for an answer forever by default: a server that accepts a write and never
     * answers would hold the consumer without a failure to log or count. A bounded wait turns it
     * into an outage, waited out like any other.
     */
    @Bean
    MongoClientSettingsBuilderCustomizer socketTimeout(WriterProperties properties, @Value("${spring.mongodb.uri}") String uri) {
        return settings -> {
            if (new ConnectionString(uri).getSocketTimeout() == null) {
                settings.applyToSocketSettings(socket -> socket.readTimeout(properties.socketTimeout().toMillis(), TimeUnit.MILLISECONDS));
            }
        };
    }

    /**
     * Production's durability unless the URI says otherwise, and never none: the writer commits a
     * record's offset once MongoDB acknowledged it, so an unacknowledged write (w=0) could lose
     * events Kafka would no longer give again. Retryable writes are the driver's default, and
     * harmless here: every write is keyed by the event id.
     */
    @Bean
    MongoClientSettingsBuilderCustomizer writeConcern(WriteConcernProperties wanted, @Value("${spring.mongodb.uri}") String uri) {
        WriteConcern inUri = new ConnectionString(uri).getWriteConcern();
        WriteConcern concern = inUri == null ? wanted.toWriteConcern() : inUri;
        if (!concern.isAcknowledged()) {
            throw new IllegalStateException((inUri == null ? "track.writer.write-concern.w" : "w in MONGODB_URI") + " is 0: MongoDB "
                    + "would acknowledge no write, and the writer commits offsets only for what it acknowledged; use majority (the default) or 1 or more");
        }
        return settings -> settings.writeConcern(concern);
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
