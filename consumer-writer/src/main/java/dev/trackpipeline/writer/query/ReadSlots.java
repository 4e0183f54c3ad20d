package dev.trackpipeline.writer.query;

import dev.trackpipeline.runtime.ProjectReadShares;
import dev.trackpipeline.writer.WriterProperties;
import java.util.function.Supplier;
import org.springframework.stereotype.Component;

/**
 * How many pages of events or chunks are read at once. A page's budget bounds one answer, not how
 * many are built together: Tomcat's 200 threads each holding a page of large planted events would
 * run the writer (and its consumer with it) out of memory. One project holds at most every slot
 * but one ({@link ProjectReadShares}); beyond the slots a read waits at most the configured time,
 * then is answered 503, to be tried again.
 */
@Component
public class ReadSlots {

    private final ProjectReadShares shares;

    public ReadSlots(WriterProperties properties) {
        this.shares = new ProjectReadShares(properties.read().concurrentReads(), properties.read().maxWait(),
                "track.writer.read.concurrent-reads");
    }

    /** Reads for {@code apikey}, a project whose read token the caller has shown (so their number is the registry's). */
    <T> T read(String apikey, Supplier<T> read) {
        return shares.read(apikey, read);
    }
}
