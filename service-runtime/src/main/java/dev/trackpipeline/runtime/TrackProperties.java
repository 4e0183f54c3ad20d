package dev.trackpipeline.runtime;

import dev.trackpipeline.model.ingest.IngestLimits;
import java.time.Duration;
import java.util.Objects;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings every service shares.
 *
 * @param projectsFile the project registry (TRACK_PROJECTS_FILE); required
 * @param projectsReloadInterval how often the registry file is checked for changes
 * @param topics       how the event topics are created at start-up
 * @param limits       size limits on events, shared by the gateway and the consumers that re-read them
 * @param consumer     how the consumers treat a record their store refuses
 */
@ConfigurationProperties("track")
public record TrackProperties(String projectsFile, @DefaultValue("5s") Duration projectsReloadInterval,
                              @DefaultValue Topics topics, @DefaultValue Limits limits, @DefaultValue Consumer consumer) {

    /**
     * @param refusedAttempts how many times a record the store refuses (while the store itself is
     *                        up) is offered to it before it goes to the dead-letter topic
     * @param refusedBackoff  the pause between those attempts
     * @param stalledAfter    how long a consumer may fail to store a batch before its health turns DOWN
     * @param maxTreesBytes   the most heap the JSON trees of a poll's events may take at once (by
     *                        {@code TreeCost}); a poll over it is stored in parts
     * @param lagInterval     how often the group's committed lag is read from the broker
     */
    public record Consumer(@DefaultValue("3") int refusedAttempts, @DefaultValue("2s") Duration refusedBackoff,
                           @DefaultValue("2m") Duration stalledAfter, @DefaultValue("48MB") DataSize maxTreesBytes,
                           @DefaultValue("15s") Duration lagInterval) {
    }

    /** Any limit left unset keeps its default from {@link IngestLimits#DEFAULTS}. */
    public record Limits(Integer maxBodyBytes, Integer maxDecompressedBytes, Integer maxEventBytes,
                         Integer maxEventsPerBody, Integer maxNestingDepth, Integer maxEventTokens) {

        public IngestLimits toIngestLimits() {
            IngestLimits defaults = IngestLimits.DEFAULTS;
            return new IngestLimits(
                    Objects.requireNonNullElse(maxBodyBytes, defaults.maxBodyBytes()),
                    Objects.requireNonNullElse(maxDecompressedBytes, defaults.maxDecompressedBytes()),
                    Objects.requireNonNullElse(maxEventBytes, defaults.maxEventBytes()),
                    Objects.requireNonNullElse(maxEventsPerBody, defaults.maxEventsPerBody()),
                    Objects.requireNonNullElse(maxNestingDepth, defaults.maxNestingDepth()),
                    Objects.requireNonNullElse(maxEventTokens, defaults.maxEventTokens()));
        }
    }

    /**
     * How the topics are made and how durable they must be. The defaults are production's: three
     * copies of each partition and a write acknowledged ({@code acks=all}) only once two of them
     * hold it, so losing any one broker loses nothing the gateway answered 202 for. On one broker
     * (the embedded one, {@code bin/track local}) both are 1, which the launcher sets: there,
     * losing the broker's disk loses the events on it. A service refuses to start when the topics
     * it finds are less durable than this ({@link TopicDurability}).
     *
     * @param prefix            prefix of every topic name
     * @param partitions        partitions per event topic: the most consumers of one group that can share the work
     * @param replicationFactor copies of each partition a topic is created with and must have
     * @param minInsyncReplicas copies that must hold a record before the broker acknowledges it
     *                          ({@code min.insync.replicas}: with fewer in sync, the topic refuses
     *                          writes and the gateway answers 503 rather than hold events on too
     *                          few brokers); a topic is created with it and must have at least it
     * @param retention         how long Kafka keeps raw events for replays
     * @param maxMessageBytes   largest record a topic takes; above the largest accepted event
     */
    public record Topics(@DefaultValue("track.") String prefix, @DefaultValue("6") int partitions,
                         @DefaultValue("3") short replicationFactor, @DefaultValue("7d") Duration retention,
                         @DefaultValue("4194304") int maxMessageBytes, @DefaultValue("2") short minInsyncReplicas) {

        public Topics {
            if (replicationFactor < 1) {
                throw new IllegalArgumentException("track.topics.replication-factor: must be 1 or more, got " + replicationFactor);
            }
            if (minInsyncReplicas < 1 || minInsyncReplicas > replicationFactor) {
                // More than the copies there are would refuse every write.
                throw new IllegalArgumentException("track.topics.min-insync-replicas: must be between 1 and track.topics.replication-factor ("
                        + replicationFactor + "), got " + minInsyncReplicas);
            }
        }
    }
}
