package dev.trackpipeline.bench;

import static dev.trackpipeline.bench.BenchReport.fmt;
import static dev.trackpipeline.bench.BenchReport.spread;

import dev.trackpipeline.bench.BenchReport.Spread;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What {@code bin/track bench --scale-out} found: each stage with one instance and with two, in
 * the same run on the same machine, as a ratio, with the CPU each took per event and how busy the
 * machine's cores were, and what that says on a machine of this many cores.
 */
record ScaleOutReport(BenchReport.Machine machine, Settings settings, List<Stage> stages) implements BenchResults {

    /** Below this share of the no-op route's rate, /reportData's rate was not wrk's limit. */
    static final double WRK_HEADROOM = 0.8;

    /** How the run was made. */
    record Settings(String mode, int repeats, int connections, double secondsPerLoadRun, int drainEvents, int drainWarmUpEvents,
                    long settleLimitSeconds, String serviceJvmOptions) {
    }

    /**
     * One measurement of a stage by some instances: its rate, the CPU it took per event (null where
     * not measured) and how busy the whole machine was meanwhile (0 to 1, NaN where unknown).
     */
    record Measured(double rate, CpuTime.PerEvent cpu, double machineBusy) {
    }

    /** A stage measured with {@code count} instances: each figure the median of the runs, with their spread; null where not measured. */
    record Instances(int count, Spread rate, Spread ownCpuMicros, Spread allCpuMicros, Spread machineBusy) {

        static Instances of(int count, List<Measured> runs) {
            boolean cpu = runs.stream().allMatch(run -> run.cpu() != null);
            return new Instances(count, Spread.of(runs.stream().map(Measured::rate).toList()),
                    cpu ? Spread.of(runs.stream().map(run -> run.cpu().serviceMicros()).toList()) : null,
                    cpu ? Spread.of(runs.stream().map(run -> run.cpu().totalMicros()).toList()) : null,
                    Spread.of(runs.stream().map(Measured::machineBusy).toList()));
        }
    }

    /**
     * A stage with one instance and with two.
     *
     * @param ratio   the rate of two over the rate of one, medians
     * @param finding what else the run says about the measurement, a sentence or none
     */
    record Stage(String name, String unit, Instances one, Instances two, double ratio, String finding) {

        static Stage of(String name, String unit, List<Measured> one, List<Measured> two, String finding) {
            Instances single = Instances.of(1, one);
            Instances pair = Instances.of(2, two);
            return new Stage(name, unit, single, pair, pair.rate().median() / single.rate().median(), finding);
        }

        Stage withFinding(String sentence) {
            return new Stage(name, unit, one, two, ratio, sentence);
        }

        /** What the figures say, in a sentence. */
        String sentence(int cores) {
            StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "two instances reached %.2f× the %s of one; the machine's"
                    + " %d cores were %s busy with one and %s with two", ratio, unit, cores, percent(one.machineBusy()),
                    percent(two.machineBusy())));
            if (one.allCpuMicros() != null) {
                out.append(String.format(Locale.ROOT, ", and the run's processes took %s of CPU per event with one, %s with two (the"
                                + " instances' own share: %s, %s)", micros(one.allCpuMicros()), micros(two.allCpuMicros()),
                        micros(one.ownCpuMicros()), micros(two.ownCpuMicros())));
            }
            return out.append('.').toString();
        }
    }

    /**
     * Whether wrk, not the gateways, could have been what limited /reportData: it drove the no-op
     * route (the same server, no work) with the same connections, and /reportData came close to that.
     */
    static String wrkCeiling(Stage reportData, Stage noop) {
        double withOne = reportData.one().rate().median() / noop.one().rate().median();
        double withTwo = reportData.two().rate().median() / noop.two().rate().median();
        String shares = String.format(Locale.ROOT, "/reportData reached %.2f× of the no-op route's rate with one gateway and %.2f× with two",
                withOne, withTwo);
        return withOne < WRK_HEADROOM && withTwo < WRK_HEADROOM
                ? "wrk was not the limit: " + shares + ", which wrk drove with the same connections."
                : "**wrk may have been the limit**: " + shares + ", which does no work; these gateway figures are a floor.";
    }

    /** How the measured events of each run with several instances were shared between them: both must have drained. */
    static String shares(List<List<Long>> eventsByInstanceOfEachRun) {
        return "Events each instance drained, run by run: " + eventsByInstanceOfEachRun.stream()
                .map(run -> {
                    long all = run.stream().mapToLong(Long::longValue).sum();
                    return run.stream().map(events -> String.format(Locale.ROOT, "%.0f %%", 100.0 * events / all))
                            .collect(Collectors.joining(" / "));
                })
                .collect(Collectors.joining("; ")) + ".";
    }

    /** What a second instance can and cannot do on this machine, whatever the figures. */
    static String cores(int cores) {
        return "This machine has " + cores + " cores, and every process of a measurement shares them: the instances, the broker and the"
                + " MongoDB-wire stand-in (both in the benchmark's JVM), redis-server, and wrk for the gateways. A second instance adds a"
                + " JVM, not CPU: it competes with the first for the same " + cores + " cores, so it can gain only what one instance left"
                + " idle, and pays for its own threads, JIT compilers and garbage collector besides. Where one instance already kept the"
                + " cores busy, expect little: a ratio near 1× (or under) says the stage was bound by this machine's CPU, not that it"
                + " cannot scale out; where each instance has cores of its own, measure again.";
    }

    @Override
    public String mode() {
        return settings.mode();
    }

    @Override
    public String markdown() {
        StringBuilder out = new StringBuilder(BenchReport.heading("Scale-out benchmark", machine, settings.mode(), settings.repeats(),
                "of each configuration, one instance and two taking turns to go first"));
        out.append(String.format(Locale.ROOT, "- gateways: wrk posting the real SDK's captured requests (each with a session of its own)"
                        + " with %d connections in all, %s s per run: one wrk -t2 against one gateway, or a wrk -t1 with half the"
                        + " connections against each of two, their rates added; the rate is of answers under 400 (202s), after a warm-up"
                        + " of both gateways and a wait of up to %d s for their compilers; CPU per event counts the gateways and the"
                        + " infrastructure, not wrk%n", settings.connections(), fmt(settings.secondsPerLoadRun()), settings.settleLimitSeconds()));
        out.append(String.format(Locale.ROOT, "- consumers: one or two fresh instances in one consumer group drain %,d prepared events"
                        + " after %,d to warm up (%,d for each of two), each instance paused once it has drained its partitions' share of"
                        + " them, then a pause of up to %d s for their compilers; resumed together and timed until the last has drained to"
                        + " the end, their CPU added up; the services' JVM options: %s%n%n",
                settings.drainEvents(), 2 * settings.drainWarmUpEvents(), settings.drainWarmUpEvents(), settings.settleLimitSeconds(),
                settings.serviceJvmOptions()));
        out.append("| stage | 1 instance | 2 instances | 2 / 1 | CPU per event, 1 → 2 (instances' own) | CPU per event, 1 → 2 (with the"
                + " infrastructure) | machine's CPU busy, 1 → 2 |\n| --- | --- | --- | --- | --- | --- | --- |\n");
        for (Stage stage : stages) {
            out.append("| ").append(stage.name()).append(" | ").append(spread(stage.one().rate(), stage.unit())).append(" | ")
                    .append(spread(stage.two().rate(), stage.unit())).append(" | ").append(String.format(Locale.ROOT, "%.2f×", stage.ratio()))
                    .append(" | ").append(stage.one().ownCpuMicros() == null ? ""
                            : micros(stage.one().ownCpuMicros()) + " → " + micros(stage.two().ownCpuMicros()))
                    .append(" | ").append(stage.one().allCpuMicros() == null ? ""
                            : micros(stage.one().allCpuMicros()) + " → " + micros(stage.two().allCpuMicros()))
                    .append(" | ").append(percent(stage.one().machineBusy())).append(" → ").append(percent(stage.two().machineBusy()))
                    .append(" |\n");
        }
        out.append("\n").append(cores(machine.cores())).append("\n\n");
        for (Stage stage : stages) {
            out.append("- **").append(stage.name()).append("**: ").append(stage.sentence(machine.cores()));
            if (!stage.finding().isEmpty()) {
                out.append(" ").append(stage.finding());
            }
            out.append("\n");
        }
        return out.toString();
    }

    private static String micros(Spread spread) {
        return fmt(spread.median()) + " µs";
    }

    private static String percent(Spread share) {
        return Double.isNaN(share.median()) ? "unknown" : String.format(Locale.ROOT, "%.0f %%", 100 * share.median());
    }
}
