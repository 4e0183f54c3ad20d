package dev.trackpipeline.writer;

import dev.trackpipeline.model.kafka.ConsumerGroups;

import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param groupId   the writer's consumer group; its committed offsets say what MongoDB holds
 * @param retention how long each family's documents are kept, by family name; absent means forever
 * @param serverSelectionTimeout how long a write waits to find MongoDB before it fails and the
 *                               batch is retried with backoff (unless MONGODB_URI sets its own)
 * @param socketTimeout how long a call waits for MongoDB's answer before it fails as an outage
 *                      (unless MONGODB_URI sets {@code socketTimeoutMS})
 */
@ConfigurationProperties("track.writer")
public record WriterProperties(@DefaultValue(ConsumerGroups.WRITER) String groupId, Map<String, Duration> retention,
                               @DefaultValue("5s") Duration serverSelectionTimeout, @DefaultValue("60s") Duration socketTimeout) {

    public WriterProperties {
        retention = retention == null ? Map.of() : Map.copyOf(retention);
    }
}
