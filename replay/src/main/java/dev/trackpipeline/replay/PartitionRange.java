package dev.trackpipeline.replay;

import org.apache.kafka.common.TopicPartition;

/** The offsets of one partition to read: from {@code start} (inclusive) to {@code end} (exclusive). */
record PartitionRange(TopicPartition partition, long start, long end) {

    long size() {
        return Math.max(0, end - start);
    }
}
