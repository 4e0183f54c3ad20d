package dev.trackpipeline.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One run's results: where it ran, and every figure beside its baseline, each the median of the
 * repeated runs with their spread. Written as JSON (for tools) and Markdown (for people).
 */
record BenchReport(Machine machine, Settings settings, List<Figure> figures) implements BenchResults {

    /** Where and when the run happened. */
    record Machine(String date, String gitCommit, String os, String cpu, int cores, long memoryMiB, String jvm) {
    }

    /** How the run was made; {@link #describe} is the report's line about it. */
    interface Settings {

        String mode();

        /** Measurements per figure, whose median the figure is. */
        int repeats();

        String describe();
    }

    /** A run of the whole pipeline ({@code bin/track bench}). */
    record PipelineSettings(String mode, int repeats, String traffic, int connections, double secondsPerLoadRun, int drainEvents,
                            int drainWarmUpEvents, long drainSettleLimitSeconds, int probes) implements Settings {

        @Override
        public String describe() {
            return "traffic: " + traffic + "; " + connections + " connections, " + fmt(secondsPerLoadRun) + " s per load run, "
                    + drainEvents + " events per drain after " + drainWarmUpEvents + " to warm up and a pause of up to "
                    + drainSettleLimitSeconds + " s for the consumer's compilers, " + probes + " end-to-end probes";
        }
    }

    /** The whole pipeline driven by wrk ({@code bin/track bench --pipeline}): every figure is one measurement. */
    record LoadSettings(String mode, int connections, long secondsPerColdWindow, long secondsPerPacedStep, long secondsAlone,
                        String infrastructureJvmOptions, String serviceJvmOptions) implements Settings {

        @Override
        public int repeats() {
            return 1;
        }

        @Override
        public String describe() {
            return "traffic: the real SDK's captured requests as captured, each with a session of its own, posted by wrk -t2 with "
                    + connections + " connections (64 when paced); cold start in windows of " + secondsPerColdWindow
                    + " s from the moment every service is healthy; paced steps of " + secondsPerPacedStep
                    + " s (the rate reported is what wrk sent), sustained when nothing was refused and both consumers' committed lag stayed"
                    + " under 5 s of the offered events (at least 1,000) through the step's second half; the gateway alone and its"
                    + " no-op route " + secondsAlone + " s each; infrastructure JVM options: "
                    + (infrastructureJvmOptions.isEmpty() ? "none (the JVM's defaults)" : infrastructureJvmOptions)
                    + "; the services' JVM options: " + (serviceJvmOptions.isEmpty() ? "none (the JVM's defaults)" : serviceJvmOptions);
        }
    }

    /** JMH micro-benchmarks ({@code bin/track micro-bench}): every measured iteration is one of the runs. */
    record MicroSettings(String mode, int repeats, String traffic, int forks, double secondsPerIteration, String jvmOptions)
            implements Settings {

        @Override
        public String describe() {
            return "traffic: " + traffic + "; JMH, " + (forks == 0 ? "in the calling JVM" : forks + " forks with " + jvmOptions)
                    + ", " + repeats + (repeats == 1 ? " measured iteration" : " measured iterations") + " of " + fmt(secondsPerIteration)
                    + " s after as many of warm-up";
        }
    }

    /** Median, smallest and largest of the repeated runs. */
    record Spread(double median, double min, double max, List<Double> runs) {

        static Spread of(List<Double> runs) {
            List<Double> sorted = new ArrayList<>(runs);
            sorted.sort(Double::compare);
            int middle = sorted.size() / 2;
            double median = sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
            return new Spread(median, sorted.get(0), sorted.get(sorted.size() - 1), List.copyOf(runs));
        }
    }

    /**
     * One figure; {@code ratio} is ours over the baseline's medians where there is a baseline.
     *
     * @param target what the issue asks, in words ({@code ≥ 0.5× baseline}, {@code ≤ 1000 ms})
     * @param met    whether the median meets it; null where there is no target
     */
    record Figure(String name, String unit, Spread value, String baselineName, Spread baseline, Double ratio, String target, Boolean met) {
    }

    @Override
    public String mode() {
        return settings.mode();
    }

    @Override
    public String markdown() {
        StringBuilder out = new StringBuilder(heading("Benchmark", machine, settings.mode(), settings.repeats(), "per figure"));
        out.append("- ").append(settings.describe()).append("\n\n");
        out.append("| figure | ours | baseline | ratio | target | met |\n| --- | --- | --- | --- | --- | --- |\n");
        for (Figure figure : figures) {
            out.append("| ").append(figure.name()).append(" | ").append(spread(figure.value(), figure.unit())).append(" | ");
            out.append(figure.baseline() == null ? "" : figure.baselineName() + ": " + spread(figure.baseline(), figure.unit()));
            out.append(" | ").append(figure.ratio() == null ? "" : String.format(Locale.ROOT, "%.2f×", figure.ratio()));
            out.append(" | ").append(figure.target() == null ? "" : figure.target());
            out.append(" | ").append(figure.met() == null ? "" : figure.met() ? "yes" : "**no**").append(" |\n");
        }
        return out.toString();
    }

    /**
     * A report's title and its first lines: the commit, the mode and the runs behind each figure
     * ({@code runsOf} says of what), then the machine.
     */
    static String heading(String title, Machine machine, String mode, int repeats, String runsOf) {
        return "# " + title + " " + machine.date() + "\n\n"
                + "- commit `" + machine.gitCommit() + "`, " + mode + " mode, " + repeats + (repeats == 1 ? " run " : " runs ") + runsOf
                + " (median, [min–max])\n"
                + "- " + machine.cpu() + ", " + machine.cores() + " cores, " + machine.memoryMiB() + " MiB, " + machine.os() + ", "
                + machine.jvm() + "\n";
    }

    /** A median with its unit, and its range where there was more than one run. */
    static String spread(Spread spread, String unit) {
        String value = fmt(spread.median()) + " " + unit;
        return spread.runs().size() == 1 ? value : value + " [" + fmt(spread.min()) + "–" + fmt(spread.max()) + "]";
    }

    /** No decimals from 100 up (thousands separated), one below. */
    static String fmt(double value) {
        if (Math.abs(value) >= 100) {
            return String.format(Locale.ROOT, "%,.0f", value);
        }
        return String.format(Locale.ROOT, "%.1f", value);
    }
}
