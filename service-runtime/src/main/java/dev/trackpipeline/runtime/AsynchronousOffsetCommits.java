package dev.trackpipeline.runtime;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.ContainerCustomizer;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;

/**
 * The consumers commit offsets without waiting for the broker's answer. Both stores recognise
 * what they already hold (the writer by event id, the aggregator by its offset markers), so a
 * commit that is late or lost costs a redelivery, never a lost or double-counted event; waiting
 * for each commit cost a drain about 12 ms per poll on a busy two-core machine. On shutdown and
 * rebalance the consumer still waits for its commits to finish.
 */
@Configuration(proxyBeanMethods = false)
public class AsynchronousOffsetCommits {

    @Bean
    ContainerCustomizer<Object, Object, ConcurrentMessageListenerContainer<Object, Object>> asynchronousOffsetCommits() {
        return container -> {
            container.getContainerProperties().setSyncCommits(false);
            // A redrive's transaction ends in a commit marker that takes an offset but is no record, so a consumer
            // that read everything would commit the marker's offset and show a lag of one for ever; this commits
            // the position past it once the partition is idle.
            container.getContainerProperties().setFixTxOffsets(true);
        };
    }
}
