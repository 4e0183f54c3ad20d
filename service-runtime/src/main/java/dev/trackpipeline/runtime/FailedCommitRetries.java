package dev.trackpipeline.runtime;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationListener;
import org.springframework.kafka.event.ListenerContainerPartitionIdleEvent;

/**
 * Commits again, once its partition falls quiet, an offset whose asynchronous commit failed.
 * Kafka's consumer never retries an asynchronous commit. On a busy partition the next commit
 * supersedes the lost one; but a partition whose last records came just before its group's
 * coordinator moved (a broker stopped) or a rebalance began would keep its committed offset behind
 * its end for good: the committed lag would count as unstored records that are stored, for ever,
 * and the next owner of the partition would read them again.
 *
 * <p>The retry runs on the consumer's own thread (the container publishes idle events there),
 * only for a partition the consumer still owns (another member's commits are its own), and only
 * while the group's committed offset is below the failed one: a stale offset committed over a
 * later one would move the group back.
 */
public final class FailedCommitRetries implements OffsetCommitCallback, ApplicationListener<ListenerContainerPartitionIdleEvent> {

    private static final Logger log = LoggerFactory.getLogger(FailedCommitRetries.class);
    /** Short: the retry holds the consumer's thread, which also answers the group's heartbeats' deadlines. */
    static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(5);

    /** Per partition, the highest offset whose commit failed and that no later commit has covered. */
    private final Map<TopicPartition, Long> failed = new ConcurrentHashMap<>();

    @Override
    public void onComplete(Map<TopicPartition, OffsetAndMetadata> offsets, Exception exception) {
        if (exception == null) {
            offsets.forEach((partition, committed) -> failed.computeIfPresent(partition,
                    (ignored, lost) -> lost <= committed.offset() ? null : lost));
            return;
        }
        log.warn("Committing offsets {} failed ({}); each is committed again once its partition is idle", offsets, exception.toString());
        offsets.forEach((partition, lost) -> failed.merge(partition, lost.offset(), Math::max));
    }

    @Override
    public void onApplicationEvent(ListenerContainerPartitionIdleEvent idle) {
        retry(idle.getTopicPartition(), idle.getConsumer());
    }

    /** Commits the partition's failed offset again if there is one and {@code consumer} owns the partition. */
    void retry(TopicPartition partition, Consumer<?, ?> consumer) {
        Long offset = failed.remove(partition);
        if (offset == null || !consumer.assignment().contains(partition)) {
            return;
        }
        try {
            OffsetAndMetadata committed = consumer.committed(Set.of(partition), COMMIT_TIMEOUT).get(partition);
            if (committed != null && committed.offset() >= offset) {
                return; // a later commit covered it: the partition went to another member and came back, or a redelivery committed it
            }
            consumer.commitSync(Map.of(partition, new OffsetAndMetadata(offset)), COMMIT_TIMEOUT);
            log.info("Committed {} at {} again, after its asynchronous commit had failed", partition, offset);
        } catch (RuntimeException stillFailing) {
            failed.merge(partition, offset, Math::max);
            log.warn("Committing {} at {} again failed ({}); tried again at its next idle moment", partition, offset,
                    stillFailing.toString());
        }
    }

    /** Partitions with a failed commit not yet made good (tests and health). */
    Map<TopicPartition, Long> pending() {
        return Map.copyOf(failed);
    }
}
