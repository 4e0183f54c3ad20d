package dev.trackpipeline.gateway.ingest;

import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Bytes of request bodies, counted after gzip, that one client address may have read
 * ({@code track.gateway.client-bytes}), a token bucket charged as a body is read. The request rate
 * ({@link ClientRequests}) counts requests, not work: one gzip request of 19.6 KB holding 500 events
 * (8 MB of JSON) costs about 65 ms of CPU, so 100 of them a second from one address would saturate
 * two cores. The default lets an address have 4 MB a second read and parsed (a few percent of a core),
 * with a burst of three of the largest bodies (8 MiB after gzip each); a real SDK page sent at most
 * 365 KB in any second, a screen-recording chunk, and most of its posts are under 1 KB
 * (fixtures/web-see), so a dozen pages at that peak fit behind one NAT.
 *
 * @param perSecond  bytes per second one address may have read, on average
 * @param burst      bytes one address may have read at once after a quiet while; below the
 *                   decompressed body limit, the largest bodies are never read whole
 * @param maxClients addresses whose buckets are kept (see {@link BoundedBuckets}); one that is
 *                   dropped starts again with a full bucket
 */
public record ClientBytes(@DefaultValue("4MB") DataSize perSecond, @DefaultValue("24MB") DataSize burst,
                          @DefaultValue("10000") int maxClients) {

    /** bucket4j refills at most one token a nanosecond: a faster rate would fail at the first request */
    static final long MOST_PER_SECOND = 1_000_000_000L;

    public ClientBytes {
        if (perSecond.toBytes() < 1 || burst.toBytes() < 1 || maxClients < 1) {
            throw new IllegalArgumentException("track.gateway.client-bytes: per-second, burst and max-clients must be"
                    + " at least 1, got " + perSecond + ", " + burst + ", " + maxClients);
        }
        if (perSecond.toBytes() > MOST_PER_SECOND) {
            throw new IllegalArgumentException("track.gateway.client-bytes.per-second: at most " + MOST_PER_SECOND
                    + " bytes a second (900MB fits), got " + perSecond);
        }
    }
}
