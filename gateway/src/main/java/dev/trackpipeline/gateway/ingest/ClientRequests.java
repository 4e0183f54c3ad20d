package dev.trackpipeline.gateway.ingest;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Requests one client address may send ({@code track.gateway.client-requests}), a token bucket
 * checked before the body is read, since the apikey that names a project is inside the body. The
 * real SDK sends each event as a request of its own: one page sent at most 7 in a second and 17 in
 * ten (fixtures/web-see), so the default lets dozens of busy browsers share one address (a NAT)
 * while one client cannot have more than 100 bodies a second read and parsed.
 *
 * @param perSecond  requests per second one address may send, on average
 * @param burst      requests one address may send at once after a quiet while
 * @param maxClients addresses whose buckets are kept (see {@link BoundedBuckets}); one that is
 *                   dropped starts again with a full bucket
 */
public record ClientRequests(@DefaultValue("100") int perSecond, @DefaultValue("300") int burst,
                             @DefaultValue("10000") int maxClients) {

    public ClientRequests {
        if (perSecond < 1 || burst < 1 || maxClients < 1) {
            throw new IllegalArgumentException("track.gateway.client-requests: per-second, burst and max-clients must be"
                    + " at least 1, got " + perSecond + ", " + burst + ", " + maxClients);
        }
    }
}
