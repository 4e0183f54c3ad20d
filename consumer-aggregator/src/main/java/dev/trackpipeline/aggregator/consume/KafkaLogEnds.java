package dev.trackpipeline.aggregator.consume;

import dev.trackpipeline.aggregator.metrics.RedisMetricsStore.LogEnds;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.stereotype.Component;

/**
 * Where a partition's log ends, asked of its leader: what tells a progress marker of a topic
 * deleted and made again (or of a log that lost its end) from one of this log. Asked only when a
 * batch holds records at or below a marker, on a long-lived admin client with short timeouts: a
 * Kafka that does not answer within {@link #ASK_WITHIN} leaves the end unknown, and the marker is
 * then trusted as before.
 */
@Component
public class KafkaLogEnds implements LogEnds, DisposableBean {

    static final Duration ASK_WITHIN = Duration.ofSeconds(5);
    private static final Logger log = LoggerFactory.getLogger(KafkaLogEnds.class);

    private final Admin admin;

    @Autowired
    public KafkaLogEnds(KafkaAdmin kafka) {
        this(kafka.getConfigurationProperties());
    }

    KafkaLogEnds(Map<String, Object> adminConfig) {
        Map<String, Object> config = new HashMap<>(adminConfig);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ASK_WITHIN.toMillis());
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) ASK_WITHIN.toMillis());
        this.admin = Admin.create(config);
    }

    @Override
    public OptionalLong endOf(String topic, int partition) {
        TopicPartition where = new TopicPartition(topic, partition);
        try {
            return OptionalLong.of(admin.listOffsets(Map.of(where, OffsetSpec.latest())).partitionResult(where)
                    .get(ASK_WITHIN.toMillis(), TimeUnit.MILLISECONDS).offset());
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            log.warn("Kafka did not tell where {} ends ({}): its progress markers are trusted as they are", where, e.getMessage());
            return OptionalLong.empty();
        }
    }

    @Override
    public void destroy() {
        admin.close(Duration.ofSeconds(1));
    }
}
