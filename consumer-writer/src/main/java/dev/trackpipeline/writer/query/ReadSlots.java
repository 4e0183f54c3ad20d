package dev.trackpipeline.writer.query;

import dev.trackpipeline.runtime.ProjectReadShares;
import dev.trackpipeline.writer.WriterProperties;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * How many pages of events or chunks are read at once. A page's budget bounds one answer, not how
 * many are built together: Tomcat's 200 threads each holding a page of large planted events would
 * run the writer (and its consumer with it) out of memory. One project holds at most every slot
 * but one ({@link ProjectReadShares}); beyond the slots a read waits at most the configured time,
 * then is answered 503, to be tried again. Once it has its slot, a read's queries share one
 * query timeout ({@link QueryDeadline}).
 */
@Component
public class ReadSlots {

    private final ProjectReadShares shares;
    private final Duration queryTimeout;
    private final LongSupplier nanoTime;

    @Autowired
    public ReadSlots(WriterProperties properties) {
        this(properties, System::nanoTime);
    }

    /** With the clock the query deadlines read: tests move it. */
    ReadSlots(WriterProperties properties, LongSupplier nanoTime) {
        this.queryTimeout = properties.read().queryTimeout();
        this.nanoTime = nanoTime;
        this.shares = new ProjectReadShares(properties.read().concurrentReads(), properties.read().maxWait(),
                "track.writer.read.concurrent-reads");
    }

    /** Reads for {@code apikey}, a project whose read token the caller has shown (so their number is the registry's). */
    <T> T read(String apikey, Function<QueryDeadline, T> read) {
        return shares.read(apikey, () -> read.apply(new QueryDeadline(queryTimeout, nanoTime)));
    }
}
