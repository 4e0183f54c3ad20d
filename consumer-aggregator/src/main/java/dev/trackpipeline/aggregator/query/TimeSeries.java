package dev.trackpipeline.aggregator.query;

import java.util.List;

/** One metric over a window, a point per step; {@code t} is the step's start in epoch ms. */
public record TimeSeries(String apikey, String metric, String window, String step, List<Point> points) {

    public record Point(long t, long value) {
    }
}
