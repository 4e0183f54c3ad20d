package dev.trackpipeline.runtime;

import java.time.Duration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.ContainerCustomizer;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;

/**
 * The consumers commit offsets without waiting for the broker's answer. Both stores recognise
 * what they already hold (the writer by event id, the aggregator by its offset markers), so a
 * commit that is late or lost costs a redelivery, never a lost or double-counted event; waiting
 * for each commit cost a drain about 12 ms per poll on a busy two-core machine. On shutdown and
 * rebalance the consumer still waits for its commits to finish. A failed asynchronous commit is
 * made good by {@link FailedCommitRetries} once its partition has been idle for
 * {@link #IDLE_BEFORE_COMMIT_RETRY}.
 */
@Configuration(proxyBeanMethods = false)
public class AsynchronousOffsetCommits {

    /** Long enough that a busy partition's next commit covers a failed one, short beside any lag alert. */
    static final Duration IDLE_BEFORE_COMMIT_RETRY = Duration.ofSeconds(5);

    @Bean
    FailedCommitRetries failedCommitRetries() {
        return new FailedCommitRetries();
    }

    @Bean
    ContainerCustomizer<Object, Object, ConcurrentMessageListenerContainer<Object, Object>> asynchronousOffsetCommits(
            FailedCommitRetries retries) {
        return container -> {
            container.getContainerProperties().setSyncCommits(false);
            String group = container.getGroupId();
            if (group != null) { // without a group nothing is committed
                container.getContainerProperties().setCommitCallback(retries.callbackFor(group));
                container.getContainerProperties().setIdlePartitionEventInterval(IDLE_BEFORE_COMMIT_RETRY.toMillis());
            }
            // A redrive's transaction ends in a commit marker that takes an offset but is no record, so a consumer
            // that read everything would commit the marker's offset and show a lag of one for ever; this commits
            // the position past it once the partition is idle.
            container.getContainerProperties().setFixTxOffsets(true);
        };
    }
}
