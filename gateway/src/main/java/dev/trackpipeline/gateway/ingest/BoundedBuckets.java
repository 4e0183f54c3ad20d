package dev.trackpipeline.gateway.ingest;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import java.util.function.Function;

/**
 * Token buckets for keys any client can mint (its address), at most {@code maxEntries} of them
 * however many addresses come: the least worth keeping is dropped (Caffeine's size bound, which
 * keeps keys that come often, so a busy abuser keeps its bucket while one-off visitors come and
 * go). A dropped key starts again with a full bucket, which is only ever more lenient, and each
 * limit built on these sits within a bound that holds anyway (its project's bucket, the parsing
 * memory and the per-address body reads).
 *
 * <p>An entry (a Caffeine node, the key, a lock-free bucket and its state) takes about 520 bytes
 * of heap, measured over 200,000 of them: 474 for an IPv4 address, 497 for a full IPv6 one, 523
 * for a project's client named by 16 characters. So the default 10,000 entries hold about 5 MB,
 * whatever comes.
 */
final class BoundedBuckets<K> {

    private final Cache<K, Bucket> buckets;
    private final TimeMeter time;

    /** @param time the buckets' clock, as bucket4j reads it (a settable one in tests) */
    BoundedBuckets(long maxEntries, TimeMeter time) {
        // Eviction runs on the calling thread: it is amortised and small, and the bound then holds
        // when a call returns rather than whenever a pool gets to it.
        this.buckets = Caffeine.newBuilder().maximumSize(maxEntries).executor(Runnable::run).build();
        this.time = time;
    }

    /** {@code key}'s bucket, made with {@code limit} when the key has none (new, or dropped). */
    Bucket of(K key, Function<K, Bandwidth> limit) {
        return buckets.get(key, absent -> Bucket.builder().withCustomTimePrecision(time).addLimit(limit.apply(absent)).build());
    }

    /** Keys held now; never more than the bound once pending evictions have run. */
    long size() {
        buckets.cleanUp();
        return buckets.estimatedSize();
    }

    static Bandwidth perSecond(long rate, long burst) {
        return Bandwidth.builder().capacity(burst).refillGreedy(rate, java.time.Duration.ofSeconds(1)).build();
    }
}
