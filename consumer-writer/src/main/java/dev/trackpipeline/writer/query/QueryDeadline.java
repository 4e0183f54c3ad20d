package dev.trackpipeline.writer.query;

import dev.trackpipeline.runtime.ApiException;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.springframework.http.HttpStatus;

/**
 * What is left of one read's {@code track.writer.read.query-timeout}, which every query of the
 * read shares: a list of merged errors runs up to 3 counts, 3 cursors to find its page's start and
 * 3 for the page, the stats 9 queries. Given the whole timeout each, they could hold a slot and the
 * server nine times as long as the setting says. Each query gets what is left as its maxTimeMS
 * (cursors read side by side share it), and a read whose time is spent stops before its next
 * query, answered 503 as a query MongoDB stopped is.
 */
final class QueryDeadline {

    private final LongSupplier nanoTime;
    private final long deadline;

    QueryDeadline(Duration timeout, LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.deadline = nanoTime.getAsLong() + timeout.toNanos();
    }

    /** The maxTimeMS of the next query: what is left, at least 1 (0 would mean no limit to MongoDB). */
    long millisLeft() {
        return millisLeftSharedBy(1);
    }

    /** The maxTimeMS of each of {@code queries} cursors read side by side, whose server time adds up. */
    long millisLeftSharedBy(int queries) {
        long left = deadline - nanoTime.getAsLong();
        if (left <= 0) {
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, MongoUnavailableResponses.TOO_LONG);
        }
        return Math.max(1, left / 1_000_000 / Math.max(1, queries));
    }
}
