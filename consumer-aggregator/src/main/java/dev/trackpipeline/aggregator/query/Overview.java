package dev.trackpipeline.aggregator.query;

import java.util.Map;

/**
 * A project's numbers over one window.
 *
 * @param errors          JavaScript errors, rejections, resource and HTTP failures
 * @param errorRate       errors / events
 * @param sessions        distinct page sessions (HyperLogLog, about 0.8 % standard error)
 * @param whiteScreenRate blank pages / white-screen checks
 */
public record Overview(String apikey, String window, long from, long to, long events, Map<String, Long> byType,
                       Map<String, Long> byStatus, long errors, double errorRate, long sessions,
                       long whiteScreenChecks, long whiteScreens, double whiteScreenRate) {
}
