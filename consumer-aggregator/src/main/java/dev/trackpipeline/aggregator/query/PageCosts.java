package dev.trackpipeline.aggregator.query;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/**
 * What made a project's pages slow or broken in a window.
 *
 * @param longTasks    count and total duration of main-thread tasks over 50 ms
 * @param resources    load durations of resource-list entries (ms), percentiles within 1 %
 * @param httpFailures failing XHR/fetch requests by method and path, most frequent first
 * @param memory       the pages' used JavaScript heap
 */
public record PageCosts(LongTasks longTasks, Durations resources, List<RequestCount> httpFailures, Memory memory) {

    /**
     * @param lastUsedBytes the latest sample by received-at; null without samples
     * @param maxUsedBytes  the largest sample; null without samples
     * @param invalid       samples refused as implausible (negative, above 64 GiB, not a number)
     */
    public record Memory(long samples, @Schema(types = {"integer", "null"}) Long lastUsedBytes, @Schema(types = {"integer", "null"}) Long maxUsedBytes, long invalid) {
    }

    public record LongTasks(long count, long totalMs) {
    }

    /** Percentiles are null without samples. */
    public record Durations(long samples, @Schema(types = {"number", "null"}) Double p50, @Schema(types = {"number", "null"}) Double p75, @Schema(types = {"number", "null"}) Double p95) {
    }

    public record RequestCount(String request, long count) {
    }
}
