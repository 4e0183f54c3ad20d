package dev.trackpipeline.infra;

/**
 * How durable topics can be on a cluster of a given size: production's 3 copies with 2 in sync
 * (any one broker lost, nothing acknowledged is lost and writes go on) from three brokers up, and
 * as many copies as there are brokers below that, with 1 in sync.
 */
public record KafkaDurability(int copies, int inSync) {

    public static KafkaDurability of(int brokers) {
        int copies = Math.min(3, brokers);
        return new KafkaDurability(copies, copies >= 3 ? 2 : 1);
    }
}
