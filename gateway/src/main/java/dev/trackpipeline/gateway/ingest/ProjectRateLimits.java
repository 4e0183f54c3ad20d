package dev.trackpipeline.gateway.ingest;

import dev.trackpipeline.model.project.Project;
import io.github.bucket4j.Bucket;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.springframework.stereotype.Component;

/**
 * Each project's rate limit as a token bucket (events per second, with a burst). Per gateway
 * instance: behind a load balancer of N gateways a project may send up to N times its rate.
 */
@Component
public class ProjectRateLimits {

    private final ConcurrentMap<String, LimitedBucket> buckets = new ConcurrentHashMap<>();

    private record LimitedBucket(Project.RateLimit limit, Bucket bucket) {
    }

    /** How many of {@code events} the project may send now, and when it may send more. */
    public record Admission(int admitted, Duration retryAfter) {
    }

    public Admission admit(Project project, int events) {
        // A changed limit (the registry was reloaded) starts a new bucket.
        LimitedBucket limited = buckets.compute(project.apikey(), (apikey, existing) ->
                existing != null && existing.limit().equals(project.rateLimit()) ? existing : newBucket(project.rateLimit()));
        int admitted = (int) limited.bucket().tryConsumeAsMuchAsPossible(events);
        long nanosToNextToken = limited.bucket().estimateAbilityToConsume(1).getNanosToWaitForRefill();
        return new Admission(admitted, Duration.ofNanos(nanosToNextToken));
    }

    private static LimitedBucket newBucket(Project.RateLimit limit) {
        Bucket bucket = Bucket.builder()
                .addLimit(bandwidth -> bandwidth.capacity(limit.burst()).refillGreedy(limit.eventsPerSecond(), Duration.ofSeconds(1)))
                .build();
        return new LimitedBucket(limit, bucket);
    }
}
