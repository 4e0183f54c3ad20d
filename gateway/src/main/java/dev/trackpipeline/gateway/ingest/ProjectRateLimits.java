package dev.trackpipeline.gateway.ingest;

import dev.trackpipeline.model.project.Project;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Each project's rate limit as a token bucket (events per second, with a burst), and within it
 * each client's share ({@link ClientShare}), so that one client sending under the public apikey
 * cannot spend what the project's other clients need. Per gateway instance: behind a load balancer
 * of N gateways a project may send up to N times its rate.
 *
 * <p>Clients' buckets are kept in {@link BoundedBuckets}, keyed by project, client and share (a
 * reloaded limit so starts new buckets); a client whose bucket was dropped starts with a full one,
 * which is acceptable because the project's own bucket still caps what all its clients send together.
 */
public class ProjectRateLimits {

    private final ConcurrentMap<String, LimitedBucket> buckets = new ConcurrentHashMap<>();
    private final ClientShare share;
    private final BoundedBuckets<ClientOfProject> clients;
    private final TimeMeter time;

    private record LimitedBucket(Project.RateLimit limit, Bucket bucket) {
    }

    private record ClientOfProject(String apikey, String client, Project.RateLimit share) {
    }

    /**
     * Of {@code events} sent together, the first {@code admitted} are let through, the next
     * {@code overProjectLimit} are over the project's limit and the last {@code overClientShare}
     * over the client's share of it; each kind of refusal says when one more event fits.
     *
     * @param clientShare the client's limit within the project's (the project's own when it has no smaller share)
     * @param spent       the tokens the admitted events took, to give back if they are not delivered after all
     */
    public record Admission(int admitted, int overProjectLimit, Duration projectRetryAfter,
                            int overClientShare, Duration clientRetryAfter, Project.RateLimit clientShare, Spent spent) {

        /**
         * Gives the admitted events' tokens back to the client's and the project's buckets, for
         * events then refused for the gateway's sake (503: Kafka failing, too much waiting for it):
         * retries through an outage would otherwise spend the budget, and browsers be refused 429
         * right after it. Never past a bucket's capacity.
         */
        public void giveBack() {
            spent.giveBack();
        }
    }

    /** {@code events} tokens taken from a client's bucket ({@code null} when it has none) and its project's. */
    record Spent(Bucket client, Bucket project, int events) {

        void giveBack() {
            if (events == 0) {
                return;
            }
            // addTokens stops at capacity: a bucket that refilled meanwhile is full, never fuller
            project.addTokens(events);
            if (client != null) {
                client.addTokens(events);
            }
        }
    }

    ProjectRateLimits(ClientShare share, TimeMeter time) {
        this.share = share;
        this.clients = new BoundedBuckets<>(share.maxClients(), time);
        this.time = time;
    }

    /** @param client who sent them: its address, an IPv6 one by its /64 ({@link ClientBlock}) */
    public Admission admit(Project project, String client, int events) {
        // A changed limit (the registry was reloaded) starts a new bucket.
        LimitedBucket limited = buckets.compute(project.apikey(), (apikey, existing) ->
                existing != null && existing.limit().equals(project.rateLimit()) ? existing : newBucket(project.rateLimit()));
        Optional<Project.RateLimit> clientLimit = share.of(project.rateLimit());
        Bucket clientBucket = clientLimit.map(limit -> clients.of(new ClientOfProject(project.apikey(), client, limit),
                key -> BoundedBuckets.perSecond(key.share().eventsPerSecond(), key.share().burst()))).orElse(null);

        // The client's share first, so events over it never spend the project's tokens.
        int withinShare = clientBucket == null ? events : consume(clientBucket, events);
        int admitted = consume(limited.bucket(), withinShare);
        if (clientBucket != null && admitted < withinShare) {
            // the project refused them, so the client did not spend them
            clientBucket.addTokens(withinShare - admitted);
        }
        return new Admission(admitted, withinShare - admitted, admitted < withinShare ? untilOneFits(limited.bucket()) : Duration.ZERO,
                events - withinShare, withinShare < events ? untilOneFits(clientBucket) : Duration.ZERO,
                clientLimit.orElse(project.rateLimit()), new Spent(clientBucket, limited.bucket(), admitted));
    }

    /** Clients whose buckets are kept now. */
    long clients() {
        return clients.size();
    }

    /** bucket4j refuses to be asked for nothing, which a client with its share spent asks its project */
    private static int consume(Bucket bucket, int events) {
        return events == 0 ? 0 : (int) bucket.tryConsumeAsMuchAsPossible(events);
    }

    private static Duration untilOneFits(Bucket bucket) {
        return Duration.ofNanos(bucket.estimateAbilityToConsume(1).getNanosToWaitForRefill());
    }

    private LimitedBucket newBucket(Project.RateLimit limit) {
        Bucket bucket = Bucket.builder().withCustomTimePrecision(time)
                .addLimit(BoundedBuckets.perSecond(limit.eventsPerSecond(), limit.burst())).build();
        return new LimitedBucket(limit, bucket);
    }
}
