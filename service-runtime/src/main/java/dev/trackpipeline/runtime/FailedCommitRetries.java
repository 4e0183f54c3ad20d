package dev.trackpipeline.runtime;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidGroupIdException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
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
 * <p>What failed is kept per consumer group and partition. The retry runs on the consumer's own
 * thread (the container publishes idle events there) and commits, in one request, the failed
 * offsets of the consumer's group on partitions it owns, its position has reached, and the
 * group's committed offset is still below: a stale offset committed over a later one would move
 * the group back. A retry that fails pauses that group's retries for {@link #PAUSE_AFTER_FAILURE}:
 * the consumer's thread, blocked meanwhile for up to twice {@link #COMMIT_TIMEOUT} (the position
 * is only read where the consumer knows it), is also the one that must poll again within
 * {@code max.poll.interval.ms} and answer a stop.
 */
public final class FailedCommitRetries implements ApplicationListener<ListenerContainerPartitionIdleEvent> {

    private static final Logger log = LoggerFactory.getLogger(FailedCommitRetries.class);
    static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration PAUSE_AFTER_FAILURE = Duration.ofSeconds(30);

    private record GroupPartition(String group, TopicPartition partition) {
    }

    /** The highest offset whose commit failed and that no later commit has covered. */
    private final Map<GroupPartition, Long> failed = new ConcurrentHashMap<>();
    /** Per group, when its retries may run again after one failed ({@link System#nanoTime()}). */
    private final Map<String, Long> pausedUntil = new ConcurrentHashMap<>();

    /** The commit callback of the containers consuming as {@code group}. */
    public OffsetCommitCallback callbackFor(String group) {
        return (offsets, exception) -> {
            if (exception == null) {
                offsets.forEach((partition, committed) -> failed.computeIfPresent(new GroupPartition(group, partition),
                        (ignored, lost) -> lost <= committed.offset() ? null : lost));
                return;
            }
            log.warn("Group {} committing offsets {} failed ({}); each is committed again once its partition is idle", group, offsets,
                    exception.toString());
            offsets.forEach((partition, lost) -> failed.merge(new GroupPartition(group, partition), lost.offset(), Math::max));
        };
    }

    @Override
    public void onApplicationEvent(ListenerContainerPartitionIdleEvent idle) {
        retry(idle.getConsumer());
    }

    /** Commits the failed offsets of {@code consumer}'s group that it may commit now; on its thread only. */
    void retry(Consumer<?, ?> consumer) {
        String group;
        try {
            group = consumer.groupMetadata().groupId();
        } catch (InvalidGroupIdException noGroup) {
            return; // nothing it reads is committed
        }
        Long paused = pausedUntil.get(group);
        if (paused != null && System.nanoTime() - paused < 0) {
            return;
        }
        Set<TopicPartition> owned = consumer.assignment();
        Map<TopicPartition, Long> due = failed.entrySet().stream()
                .filter(entry -> entry.getKey().group().equals(group) && owned.contains(entry.getKey().partition()))
                .collect(Collectors.toMap(entry -> entry.getKey().partition(), Map.Entry::getValue));
        if (due.isEmpty()) {
            return;
        }
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(due.keySet(), COMMIT_TIMEOUT);
            Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
            due.forEach((partition, offset) -> {
                OffsetAndMetadata now = committed.get(partition);
                if (now != null && now.offset() >= offset) {
                    // a later commit covered it: a redelivery, or the partition went to another member and came back
                    failed.remove(new GroupPartition(group, partition), offset);
                } else if (reached(consumer, partition, offset)) {
                    commits.put(partition, new OffsetAndMetadata(offset));
                } // else the consumer reads that far again first, and its own commit covers it
            });
            if (!commits.isEmpty()) {
                consumer.commitSync(commits, COMMIT_TIMEOUT);
                commits.forEach((partition, offset) -> failed.remove(new GroupPartition(group, partition), offset.offset()));
                log.info("Group {} committed {} again, after their asynchronous commits had failed", group, commits);
            }
            pausedUntil.remove(group);
        } catch (WakeupException stopping) {
            // the container woke its consumer (a stop, a pause): no failure of the broker's, the entries wait for the next idle moment
        } catch (RuntimeException stillFailing) {
            pausedUntil.put(group, System.nanoTime() + PAUSE_AFTER_FAILURE.toNanos());
            log.warn("Group {} committing {} again failed ({}); tried again in {} s at the earliest", group, due, stillFailing.toString(),
                    PAUSE_AFTER_FAILURE.toSeconds());
        }
    }

    /**
     * Whether the consumer has read up to {@code offset}, asking nothing of the broker: a position
     * it would have to look up (after a rebalance, a leader's change) is not known to be reached.
     */
    private static boolean reached(Consumer<?, ?> consumer, TopicPartition partition, long offset) {
        try {
            return consumer.position(partition, Duration.ZERO) >= offset;
        } catch (TimeoutException unknownYet) {
            return false;
        }
    }

    /** The group's partitions with a failed commit not yet made good. */
    Map<TopicPartition, Long> pending(String group) {
        return failed.entrySet().stream().filter(entry -> entry.getKey().group().equals(group))
                .collect(Collectors.toMap(entry -> entry.getKey().partition(), Map.Entry::getValue));
    }
}
