package dev.trackpipeline.gateway.ingest;

import io.github.bucket4j.TimeMeter;
import java.time.Duration;

/** A rate-limit clock that moves only when a test moves it. */
final class ManualTime implements TimeMeter {

    private long nanos;

    void advance(Duration duration) {
        nanos += duration.toNanos();
    }

    @Override
    public long currentTimeNanos() {
        return nanos;
    }

    @Override
    public boolean isWallClockBased() {
        return false;
    }
}
