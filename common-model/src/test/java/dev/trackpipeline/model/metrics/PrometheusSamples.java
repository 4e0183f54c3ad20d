package dev.trackpipeline.model.metrics;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A scrape of {@code /actuator/prometheus}, read as the Prometheus text format defines it: one
 * sample per line, {@code name{labels} value}, comments skipped. Tests compare two scrapes, so
 * what other tests of the same context counted before does not matter.
 */
public record PrometheusSamples(Map<String, Double> samples) {

    public static PrometheusSamples parse(String exposition) {
        Map<String, Double> samples = new LinkedHashMap<>();
        exposition.lines().filter(line -> !line.isBlank() && !line.startsWith("#")).forEach(line -> {
            int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        });
        return new PrometheusSamples(samples);
    }

    /** The sample's value, 0 when the series does not exist (yet). */
    public double value(String series) {
        return samples.getOrDefault(series, 0.0);
    }

    /** How much a series grew since an earlier scrape. */
    public double increaseSince(PrometheusSamples earlier, String series) {
        return value(series) - earlier.value(series);
    }

    /** The metric names (before any {@code {}) of every sample. */
    public Set<String> names() {
        Set<String> names = new TreeSet<>();
        samples.keySet().forEach(series -> names.add(series.contains("{") ? series.substring(0, series.indexOf('{')) : series));
        return names;
    }
}
