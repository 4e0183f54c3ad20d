package dev.trackpipeline.aggregator.query;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.Map;

/**
 * One web vital over a window. Percentiles are nearest-rank, within 1 % of the exact value for the
 * project and 11.1 % for one page ({@code VitalsHistogram}), and null when no plausible value arrived.
 *
 * @param rating      the web-vitals rating of p75 (good, needs-improvement, poor)
 * @param ratings     counts by the web-vitals thresholds
 * @param sdkRatings  counts by the {@code rating} the SDK sent
 * @param invalid     values outside the physical range, kept out of the percentiles
 */
public record VitalSummary(long samples, @Schema(types = {"number", "null"}) Double p50, @Schema(types = {"number", "null"}) Double p75, @Schema(types = {"number", "null"}) Double p95,
                           @Schema(types = {"string", "null"}) String rating,
                           Map<String, Long> ratings, Map<String, Long> sdkRatings, long invalid) {
}
