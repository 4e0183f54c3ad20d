package dev.trackpipeline.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the topics a service finds are as durable as its settings ask. The gateway answers 202
 * once the topic's in-sync copies hold an event ({@code acks=all}); how many copies that is, is
 * the topic's, not the producer's, so a topic made by hand or by an earlier version with one copy,
 * or with {@code min.insync.replicas=1}, would make "survives the loss of a broker" untrue without
 * a word. Each shortfall is one sentence naming the topics, what they have, what is asked and how
 * to mend it. Checked once KafkaAdmin has made the topics it could.
 */
public final class TopicDurability implements StartRequirement {

    /** Long enough for a broker under load, short enough not to hold a start long when Kafka is away. */
    static final Duration ANSWER_WITHIN = Duration.ofSeconds(5);
    private static final Duration SEEN_AGAIN_AFTER = Duration.ofMillis(200);

    private static final Logger log = LoggerFactory.getLogger(TopicDurability.class);

    private final Map<String, Object> adminConfig;
    private final TrackProperties.Topics wanted;
    private final List<String> topics;
    private final BooleanSupplier makeTopics;

    /**
     * @param makeTopics makes the topics missing, as at start ({@code KafkaAdmin.initialize}), and
     *                   answers whether they are made now (by it, or found made by another service):
     *                   a service started while Kafka was away finds none made. Answers false where
     *                   the operator makes them (auto-create off), or when they could not be made.
     */
    public TopicDurability(Map<String, Object> adminConfig, TrackProperties.Topics wanted, List<String> topics, BooleanSupplier makeTopics) {
        this.adminConfig = new HashMap<>(adminConfig);
        this.adminConfig.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ANSWER_WITHIN.toMillis());
        this.adminConfig.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) ANSWER_WITHIN.toMillis());
        this.wanted = wanted;
        this.topics = List.copyOf(topics);
        this.makeTopics = makeTopics;
    }

    @Override
    public String subject() {
        return "the topics' durability";
    }

    /**
     * Kafka not answering, or answering with an error that passes (a leader being elected, a
     * controller moving), leaves the question open. A user not allowed to describe the topics or
     * their settings leaves it unanswerable: said, and not held against the service, which may
     * run under an ACL made before this check.
     */
    @Override
    public Optional<String> unmet() throws Unanswered {
        Admin admin;
        try {
            admin = Admin.create(adminConfig);
        } catch (KafkaException e) {
            // a bootstrap name that does not resolve yet (a cluster still being scheduled)
            throw new Unanswered("Kafka could not be reached (" + e.getMessage() + ")", e);
        }
        try {
            Shortfalls found = shortfalls(admin, ANSWER_WITHIN);
            if (!found.missing().isEmpty() && madeMissingTopics()) {
                found = awaitSeen(admin);
                if (!found.missing().isEmpty()) {
                    throw new Unanswered("topics " + String.join(", ", found.missing()) + " were made, and Kafka does not "
                            + "describe them yet", null);
                }
            }
            return found.sentences().isEmpty() ? Optional.empty()
                    : Optional.of("The topics are less durable than track.topics asks: " + String.join("; ", found.sentences()));
        } catch (TimeoutException e) {
            throw new Unanswered("Kafka did not answer within " + ANSWER_WITHIN, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AuthorizationException) {
                log.warn("This service's Kafka user may not describe the topics or their settings ({}): their durability is not "
                        + "checked. Grant it Describe and DescribeConfigs on the topics for the check (docs/dead-letters.md)",
                        e.getCause().getMessage());
                return Optional.empty();
            }
            throw new Unanswered("Kafka answered " + e.getCause().getClass().getSimpleName() + ": " + e.getCause().getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unanswered("interrupted", e);
        } finally {
            // Its calls have answered or timed out: nothing left to wait for.
            admin.close(Duration.ofSeconds(1));
        }
    }

    /** What KafkaAdmin does at start; refused (too few brokers, no right to), the shortfalls say what is missing. */
    private boolean madeMissingTopics() {
        try {
            return makeTopics.getAsBoolean();
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            log.warn("The topics could not be made: {}", cause.getMessage());
            return false;
        }
    }

    /**
     * A topic just made, by this service or by another starting beside it, is known to the
     * controller at once and to the brokers a moment later: until then a broker describes it as
     * unknown. Asked again until it is seen, for as long as Kafka is given to answer.
     */
    private Shortfalls awaitSeen(Admin admin) throws ExecutionException, InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + ANSWER_WITHIN.toNanos();
        Shortfalls now = shortfalls(admin, ANSWER_WITHIN);
        while (!now.missing().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(SEEN_AGAIN_AFTER.toMillis());
            now = shortfalls(admin, ANSWER_WITHIN);
        }
        return now;
    }

    /**
     * What falls short: the topics that do not exist, and one sentence for each shortfall.
     *
     * @param missing   topics Kafka does not know (yet)
     * @param sentences what falls short, each with its remedy; empty when nothing does
     */
    record Shortfalls(List<String> missing, List<String> sentences) {
    }

    /**
     * What falls short.
     *
     * @throws TimeoutException   Kafka did not answer within {@code timeout}
     * @throws ExecutionException Kafka answered with an error (no right to describe, say)
     */
    Shortfalls shortfalls(Admin admin, Duration timeout) throws ExecutionException, InterruptedException, TimeoutException {
        // Fenced brokers too: one that is down is still one of the cluster's, and its copies are
        // still assigned; a service restarted while a broker is away must not be refused for it.
        int brokers = admin.describeCluster(new DescribeClusterOptions().includeFencedBrokers(true)).nodes()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS).size();
        List<String> missing = new ArrayList<>();
        Map<Integer, List<String>> byFewestCopies = new TreeMap<>();
        List<String> existing = new ArrayList<>();
        for (Map.Entry<String, KafkaFuture<TopicDescription>> topic : admin.describeTopics(topics).topicNameValues().entrySet()) {
            try {
                int copies = fewestCopies(topic.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS));
                existing.add(topic.getKey());
                if (copies < wanted.replicationFactor()) {
                    byFewestCopies.computeIfAbsent(copies, key -> new ArrayList<>()).add(topic.getKey());
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
                missing.add(topic.getKey());
            }
        }
        List<String> shortfalls = new ArrayList<>();
        if (brokers < wanted.replicationFactor()) {
            shortfalls.add("Kafka has " + brokers + (brokers == 1 ? " broker" : " brokers") + ", fewer than the "
                    + copies(wanted.replicationFactor()) + " of each partition track.topics.replication-factor asks for: run "
                    + wanted.replicationFactor() + " brokers or more, or on a single broker set TRACK_TOPICS_REPLICATION_FACTOR=1 and "
                    + "TRACK_TOPICS_MIN_INSYNC_REPLICAS=1 (bin/track local does), knowing that losing that broker's disk loses "
                    + "the events on it");
        } else if (!missing.isEmpty()) {
            shortfalls.add("topics " + String.join(", ", missing) + " do not exist and could not be made (logged "
                    + "why above): create them with " + copies(wanted.replicationFactor()) + " and min.insync.replicas="
                    + wanted.minInsyncReplicas() + ", or grant this service's Kafka user the right to create them");
        }
        byFewestCopies.forEach((fewest, named) -> shortfalls.add("topics " + String.join(", ", named) + " keep " + copies(fewest)
                + " of a partition, fewer than track.topics.replication-factor ("
                + wanted.replicationFactor() + "): add copies with kafka-reassign-partitions.sh, or lower the setting"));
        lowInsyncReplicas(admin, existing, timeout).forEach((insync, named) -> shortfalls.add("topics " + String.join(", ", named)
                + " have min.insync.replicas=" + insync + ", fewer than track.topics.min-insync-replicas (" + wanted.minInsyncReplicas()
                + "), so an event could be acknowledged while " + insync + " broker(s) hold it: raise it on each with "
                + "kafka-configs.sh --alter --entity-type topics --entity-name <topic> --add-config min.insync.replicas="
                + wanted.minInsyncReplicas()));
        return new Shortfalls(missing, shortfalls);
    }

    private static String copies(int count) {
        return count + (count == 1 ? " copy" : " copies");
    }

    /** The copies of the partition that has the fewest: a topic is as durable as its weakest partition. */
    private static int fewestCopies(TopicDescription description) {
        return description.partitions().stream().mapToInt(partition -> partition.replicas().size()).min().orElse(0);
    }

    /** The topics whose effective {@code min.insync.replicas} (theirs, or the broker's default) is below the setting, by value. */
    private Map<Integer, List<String>> lowInsyncReplicas(Admin admin, List<String> existing, Duration timeout)
            throws ExecutionException, InterruptedException, TimeoutException {
        Map<Integer, List<String>> low = new TreeMap<>();
        if (existing.isEmpty()) {
            return low;
        }
        List<ConfigResource> resources = existing.stream().map(topic -> new ConfigResource(ConfigResource.Type.TOPIC, topic)).toList();
        Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        for (ConfigResource resource : resources) {
            ConfigEntry entry = configs.get(resource).get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
            // Kafka's own default is 1 when neither the topic nor the broker sets it.
            int insync = entry == null || entry.value() == null ? 1 : Integer.parseInt(entry.value());
            if (insync < wanted.minInsyncReplicas()) {
                low.computeIfAbsent(insync, key -> new ArrayList<>()).add(resource.name());
            }
        }
        return low;
    }
}
