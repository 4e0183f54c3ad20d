package dev.trackpipeline.aggregator.consume;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;
import org.springframework.stereotype.Component;

/**
 * The id of each topic the aggregator counts, which its progress markers keep: a topic deleted and
 * made again under the same name has a new id and starts its offsets over. The consumer's records
 * do not carry the id, so it is asked of Kafka: for every assigned topic at once whenever
 * partitions are assigned (a topic is made again while the group has lost its partitions), and
 * again, past the cache, when a marker names another id ({@link #askKafka}). Kafka not telling
 * leaves the id unknown (empty), and the markers are then trusted as they are; it is not asked
 * again for {@link #ASK_AGAIN_AFTER}, so that a slow Kafka does not hold every batch.
 */
@Component
public class TopicIds implements ConsumerAwareRebalanceListener, DisposableBean {

    static final Duration ASK_WITHIN = Duration.ofSeconds(5);
    static final Duration ASK_AGAIN_AFTER = Duration.ofSeconds(30);
    private static final Logger log = LoggerFactory.getLogger(TopicIds.class);

    private final Admin admin;
    private final LongSupplier nanoTime;
    private final Map<String, String> known = new ConcurrentHashMap<>();
    private final AtomicReference<Long> unansweredAt = new AtomicReference<>();

    @Autowired
    public TopicIds(KafkaAdmin kafka) {
        this(kafka.getConfigurationProperties(), System::nanoTime);
    }

    TopicIds(Map<String, Object> adminConfig, LongSupplier nanoTime) {
        Map<String, Object> config = new HashMap<>(adminConfig);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ASK_WITHIN.toMillis());
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) ASK_WITHIN.toMillis());
        this.admin = Admin.create(config);
        this.nanoTime = nanoTime;
    }

    /** The topic's id as last asked, asking now if it never was; empty when Kafka does not tell. */
    public String of(String topic) {
        String id = known.get(topic);
        return id != null ? id : askKafka(topic);
    }

    /** The topic's id asked of Kafka now, past what is known; empty when Kafka does not tell (or did not, just before). */
    public String askKafka(String topic) {
        ask(List.of(topic));
        return known.getOrDefault(topic, "");
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        known.clear();
        ask(partitions.stream().map(TopicPartition::topic).distinct().toList());
    }

    private void ask(Collection<String> topics) {
        Long since = unansweredAt.get();
        if (topics.isEmpty() || since != null && nanoTime.getAsLong() - since < ASK_AGAIN_AFTER.toNanos()) {
            return;
        }
        try {
            Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames()
                    .get(ASK_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
            described.forEach((topic, description) -> known.put(topic, description.topicId().toString()));
            unansweredAt.set(null);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            topics.forEach(known::remove);
            if (unansweredAt.getAndSet(nanoTime.getAsLong()) == null) {
                log.warn("Kafka did not tell the ids of {} ({}): their progress markers are taken to be of them as they are; asked "
                        + "again in {}", topics, e.getMessage(), ASK_AGAIN_AFTER);
            }
        }
    }

    @Override
    public void destroy() {
        admin.close(Duration.ofSeconds(1));
    }
}
