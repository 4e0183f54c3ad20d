package dev.trackpipeline.writer;

import dev.trackpipeline.model.kafka.ConsumerGroups;

import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * @param groupId   the writer's consumer group; its committed offsets say what MongoDB holds
 * @param retention how long each family's documents are kept, by family name; absent means forever
 * @param serverSelectionTimeout how long a write waits to find MongoDB before it fails and the
 *                               batch is retried with backoff (unless MONGODB_URI sets its own)
 * @param socketTimeout how long a call waits for MongoDB's answer before it fails as an outage
 *                      (unless MONGODB_URI sets {@code socketTimeoutMS})
 * @param read  what one answer of the read API may cost
 */
@ConfigurationProperties("track.writer")
public record WriterProperties(@DefaultValue(ConsumerGroups.WRITER) String groupId, Map<String, Duration> retention,
                               @DefaultValue("5s") Duration serverSelectionTimeout, @DefaultValue("60s") Duration socketTimeout,
                               @DefaultValue Read read) {

    public WriterProperties {
        retention = retention == null ? Map.of() : Map.copyOf(retention);
        read = read == null ? Read.DEFAULTS : read;
    }

    /**
     * The bounds of one answer of the read API. The apikey is public, so anyone can store events of
     * the largest accepted size; without these, a page of them would not fit the writer's heap.
     *
     * @param pageBudget what the documents one page holds may cost the heap once decoded: their
     *                   BSON bytes plus 150 bytes a value ({@code DecodedCost}). A page stops before
     *                   the document that would take it over, and says so, except that a page always
     *                   holds its first document, however large (it was accepted, so it must be
     *                   readable)
     * @param countLimit how many matching documents a page counts at most for its {@code total};
     *                   past it, the total is reported as a lower bound
     * @param batchSize  how many documents each MongoDB cursor of a page fetches at a time: what a
     *                   page holds beyond its own documents is at most this many per collection read
     * @param concurrentReads how many pages (of events or of a recording's chunks) are read at once:
     *                   the budget bounds one answer, this bounds how many are held together
     * @param maxWait    how long a read waits for one of those slots before it is answered 503
     * @param queryTimeout how long MongoDB may work on one read, all its queries together (each
     *                   gets what is left as its maxTimeMS): a filter outside the indexes over a
     *                   large window is stopped, and answered 503 naming what to narrow, rather
     *                   than hold a slot and the server
     * @param statsLimit how many of a window's newest errors of each family the error stats count at
     *                   most: past it they say so, and cost no more however many errors the window holds
     */
    public record Read(@DefaultValue("4MB") DataSize pageBudget, @DefaultValue("10000") int countLimit,
                       @DefaultValue("4") int batchSize, @DefaultValue("2") int concurrentReads,
                       @DefaultValue("2s") Duration maxWait, @DefaultValue("10s") Duration queryTimeout,
                       @DefaultValue("20000") int statsLimit) {

        public static final Read DEFAULTS = new Read(DataSize.ofMegabytes(4), 10_000, 4, 2, Duration.ofSeconds(2), Duration.ofSeconds(10),
                20_000);

        /** The defaults' concurrency, wait, query timeout and stats limit with the given bounds of one page. */
        public Read(DataSize pageBudget, int countLimit, int batchSize) {
            this(pageBudget, countLimit, batchSize, DEFAULTS.concurrentReads(), DEFAULTS.maxWait(), DEFAULTS.queryTimeout(),
                    DEFAULTS.statsLimit());
        }

        @ConstructorBinding
        public Read {
            if (pageBudget == null || pageBudget.toBytes() < 1024 || pageBudget.toBytes() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("track.writer.read.page-budget: must be between 1KB and 2GB, got " + pageBudget);
            }
            if (countLimit < 1) {
                throw new IllegalArgumentException("track.writer.read.count-limit: must be 1 or more, got " + countLimit);
            }
            if (batchSize < 1) {
                throw new IllegalArgumentException("track.writer.read.batch-size: must be 1 or more, got " + batchSize);
            }
            if (concurrentReads < 1) {
                throw new IllegalArgumentException("track.writer.read.concurrent-reads: must be 1 or more, got " + concurrentReads);
            }
            if (maxWait == null || maxWait.isNegative()) {
                throw new IllegalArgumentException("track.writer.read.max-wait: must be 0 or more, got " + maxWait);
            }
            if (queryTimeout == null || queryTimeout.isNegative() || queryTimeout.isZero()) {
                throw new IllegalArgumentException("track.writer.read.query-timeout: must be more than 0, got " + queryTimeout);
            }
            if (statsLimit < 1) {
                throw new IllegalArgumentException("track.writer.read.stats-limit: must be 1 or more, got " + statsLimit);
            }
        }
    }
}
