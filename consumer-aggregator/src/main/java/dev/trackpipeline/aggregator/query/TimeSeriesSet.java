package dev.trackpipeline.aggregator.query;

import java.util.List;
import java.util.Map;

/**
 * Several metrics over one window and step, as columns: {@code t} holds each step's start in
 * epoch ms, and each metric's list its value per step, in the same order (what a chart plots).
 */
public record TimeSeriesSet(String apikey, String window, String step, List<Long> t, Map<String, List<Long>> values) {
}
