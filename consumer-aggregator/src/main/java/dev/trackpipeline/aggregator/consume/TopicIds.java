package dev.trackpipeline.aggregator.consume;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;
import org.springframework.stereotype.Component;

/**
 * The id of each topic the aggregator counts, as Kafka knows it now, which its progress markers
 * keep: a topic deleted and made again under the same name has a new id and starts its offsets
 * over. The consumer's records do not carry the id, so it is asked of Kafka, and asked again
 * whenever partitions are assigned: a topic is made again only while the group, having lost its
 * partitions, waits for them. Unknown (Kafka did not answer) it is empty, and a marker is then
 * taken to be of the topic as it is.
 */
@Component
public class TopicIds implements ConsumerAwareRebalanceListener {

    private static final Logger log = LoggerFactory.getLogger(TopicIds.class);

    private final KafkaAdmin admin;
    private final Map<String, String> known = new ConcurrentHashMap<>();

    public TopicIds(KafkaAdmin admin) {
        this.admin = admin;
    }

    /** The topic's id, or empty when Kafka could not tell. */
    public String of(String topic) {
        String id = known.get(topic);
        if (id != null) {
            return id;
        }
        try {
            Uuid found = admin.describeTopics(topic).get(topic).topicId();
            known.put(topic, found.toString());
            return found.toString();
        } catch (RuntimeException e) {
            log.warn("Kafka did not tell topic {}'s id ({}): its progress markers are taken to be of it as it is", topic, e.getMessage());
            return "";
        }
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        known.clear();
    }
}
