package dev.trackpipeline.model.kafka;

/**
 * The consumer groups of the two consumers. Their committed offsets say what each store holds,
 * so the services and the replay tool (lag, rebuild) must name them alike.
 */
public final class ConsumerGroups {

    public static final String WRITER = "track-writer";
    public static final String AGGREGATOR = "track-aggregator";

    private ConsumerGroups() {
    }
}
