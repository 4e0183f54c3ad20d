package dev.trackpipeline.gateway.ingest;

import java.time.Duration;

/** A Retry-After header's value for a wait a limiter computed: whole seconds, rounded up, at least one. */
final class RetryAfter {

    private RetryAfter() {
    }

    /** Rounded up, since a client retrying at the rounded-down second would be refused again; never 0, which means "now". */
    static String seconds(Duration wait) {
        return String.valueOf(Math.max(1, (wait.toMillis() + 999) / 1000));
    }
}
