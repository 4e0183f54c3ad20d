package dev.trackpipeline.gateway.ingest;

import dev.trackpipeline.model.project.Project;
import java.util.Optional;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How much of its project's rate limit one client address may use ({@code track.gateway.client-share}).
 * The apikey ships in every page, so without a share one client sending under it could spend the
 * whole budget and every real browser of the project would be refused.
 *
 * <p>A share is {@code percent} of the project's rate and burst, but never less than the floor:
 * one real SDK page sent at most 7 events in a second and 17 in ten (fixtures/web-see), so a
 * project with a small limit still lets a busy browser, or a few behind one NAT, through. It is
 * never more than the project's own limit either.
 *
 * @param percent            of the project's events per second and burst one client may use
 * @param minEventsPerSecond the floor of a client's rate, whatever the project's
 * @param minBurst           the floor of a client's burst, whatever the project's
 * @param maxClients         clients whose buckets are kept (see {@link BoundedBuckets}); one that is
 *                           dropped starts again with a full bucket, within its project's
 */
public record ClientShare(@DefaultValue("10") int percent, @DefaultValue("20") int minEventsPerSecond,
                          @DefaultValue("60") int minBurst, @DefaultValue("10000") int maxClients) {

    public ClientShare {
        if (percent < 1 || percent > 100) {
            throw new IllegalArgumentException("track.gateway.client-share.percent: must be 1 to 100, got " + percent);
        }
        if (minEventsPerSecond < 1 || minBurst < 1 || maxClients < 1) {
            throw new IllegalArgumentException("track.gateway.client-share: min-events-per-second, min-burst and max-clients"
                    + " must be at least 1, got " + minEventsPerSecond + ", " + minBurst + ", " + maxClients);
        }
    }

    /**
     * One client's limit within {@code project}'s; empty when it would be the project's whole limit,
     * since then the project's own bucket is the client's bound.
     */
    Optional<Project.RateLimit> of(Project.RateLimit project) {
        Project.RateLimit share = new Project.RateLimit(part(project.eventsPerSecond(), minEventsPerSecond),
                part(project.burst(), minBurst));
        return share.equals(project) ? Optional.empty() : Optional.of(share);
    }

    private int part(int whole, int floor) {
        long share = (long) whole * percent / 100;
        return (int) Math.min(whole, Math.max(floor, share));
    }
}
