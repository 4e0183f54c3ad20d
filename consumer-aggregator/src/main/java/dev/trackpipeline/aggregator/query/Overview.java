package dev.trackpipeline.aggregator.query;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.Map;

/**
 * A project's numbers over one window.
 *
 * @param errors          JavaScript errors, rejections, resource and HTTP failures
 * @param errorRate       errors / events
 * @param sessions        distinct page sessions (HyperLogLog, about 0.8 % standard error)
 * @param whiteScreenRate blank pages / white-screen checks
 * @param vitals          p75 of each web vital seen, with its web-vitals rating
 */
public record Overview(String apikey, String window, long from, long to, long events, Map<String, Long> byType,
                       Map<String, Long> byStatus, long errors, double errorRate, long sessions,
                       long whiteScreenChecks, long whiteScreens, double whiteScreenRate, Map<String, VitalP75> vitals) {

    /** A vital's p75 (within 1 %), its rating and how many values it rests on. */
    public record VitalP75(@Schema(types = {"number", "null"}) Double p75, @Schema(types = {"string", "null"}) String rating, long samples) {
    }
}
