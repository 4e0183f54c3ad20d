package dev.trackpipeline.replay;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

/**
 * Whether the group a letter is redriven for reads the letter's topic: it exists and has committed
 * offsets on the topic. A record redriven for a group nobody runs (a group renamed since, or never
 * there) is skipped by every consumer, so it would be lost while marked as redriven. Asked of
 * Kafka once per group.
 */
final class RedriveTargets {

    private final Admin admin;
    private final Duration timeout;
    private final Map<String, Map<TopicPartition, OffsetAndMetadata>> committed = new HashMap<>();

    RedriveTargets(Admin admin, Duration timeout) {
        this.admin = admin;
        this.timeout = timeout;
    }

    boolean consumes(String group, String topic) throws Exception {
        if (!committed.containsKey(group)) {
            committed.put(group, committedOffsets(group));
        }
        return committed.get(group).entrySet().stream()
                .anyMatch(offset -> offset.getKey().topic().equals(topic) && offset.getValue() != null);
    }

    /**
     * Whether the group has a member now. One without is stopped, or renamed while Kafka still keeps
     * its offsets (offsets.retention.minutes, 7 days by default after its last member left), which
     * {@link #consumes} cannot tell apart: a redrive says so, so that the operator can check.
     */
    private boolean running(String group) throws Exception {
        return !admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get(timeout.toSeconds(), TimeUnit.SECONDS)
                .members().isEmpty();
    }

    /**
     * Notes a group without a running member. Asked after the letters are committed: a group Kafka
     * cannot describe now is said so, and the run still succeeds and goes on to list what it left out.
     */
    void noteIfNotRunning(String group, PrintWriter err) {
        String printable = RedriveTally.printable(group);
        try {
            if (!running(group)) {
                err.printf("note: group %s has no running member now; its letters wait for it. If it was renamed, they wait for "
                        + "ever: redrive them again with --group %s --as-group NEW --again%n", printable, printable);
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            Throwable reason = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            err.printf("note: could not check whether group %s has running members: %s%n", printable,
                    RedriveTally.printable(reason.getClass().getSimpleName() + (reason.getMessage() == null ? "" : ": " + reason.getMessage())));
        }
    }

    private Map<TopicPartition, OffsetAndMetadata> committedOffsets(String group) throws Exception {
        try {
            return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(timeout.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return Map.of();
            }
            throw e;
        }
    }
}
