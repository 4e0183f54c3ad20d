package dev.trackpipeline.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code bin/track bench --reads} found: the history the services were filled with, every
 * read with its latency, its cost to Redis and the serving process's heap, and answers checked
 * against what was published.
 */
record ReadsReport(BenchReport.Machine machine, Settings settings, History history, double newestEventMinutesBeforeReads, List<Read> reads,
                   List<Check> checks, List<CountingUnderReads> counting, String infrastructure) implements BenchResults {

    /** How the run was made. */
    record Settings(String mode, ProductionHistory.Shape shape, int repetitions, long budgetSecondsPerRead, String serviceJvmOptions,
                    String infrastructureJvmOptions) {
    }

    /**
     * The history as the services stored it: records published, how long publishing took and how
     * long after publishing began each consumer had committed all of it, and what the stores hold.
     */
    record History(long records, double publishSeconds, double writerSeconds, double aggregatorSeconds, long storedDocuments,
                   long redisKeys, double redisUsedMiB, String longRecordingId, String newestErrorId) {
    }

    /**
     * One read: {@code samples} calls one after another (after two unmeasured), their latency as
     * the client met it, Redis's commands and bytes sent back per call (aggregator reads only, any
     * background traffic of the service included) and the service's used heap at its highest,
     * sampled twice a second while the read ran.
     */
    record Read(String service, String read, String window, int samples, int failed, Double p50Ms, Double p99Ms, Double maxMs,
                Long redisCommands, Long redisBytesBack, Double peakHeapMiB, String target, Boolean met, String note) {

        /** A read that could not be made, the answers it needed having failed. */
        static Read notMeasured(String service, String read, String reason) {
            return new Read(service, read, "", 0, 0, null, null, null, null, null, null, null, null, "not measured: " + reason);
        }
    }

    /**
     * One answer checked against the history: {@code expected} is what the published records say
     * (for an overview, those received in the window it answered for), {@code answered} the service's.
     */
    record Check(String service, String answer, long expected, long answered) {

        boolean holds() {
            return expected == answered;
        }
    }

    /**
     * A burst of new events counted while {@code dashboards} refresh back to back: how long the
     * aggregator took to count all of it, and the statuses of the dashboards' calls meanwhile.
     */
    record CountingUnderReads(int dashboards, long events, double seconds, Map<String, Long> answers) {
    }

    /** The history, how long before the first metrics read its newest event was received, the reads, the answers checked, and counting under reads. */
    record Results(History history, double newestEventMinutesBeforeReads, List<Read> reads, List<Check> checks,
                   List<CountingUnderReads> counting, String infrastructure) {
    }

    @Override
    public String mode() {
        return settings.mode();
    }

    @Override
    public String markdown() {
        ProductionHistory.Shape shape = settings.shape();
        StringBuilder out = new StringBuilder();
        out.append("# Read benchmark ").append(machine.date()).append("\n\n");
        out.append("- commit `").append(machine.gitCommit()).append("`, ").append(settings.mode()).append(" mode; ")
                .append(machine.cpu()).append(", ").append(machine.cores()).append(" cores, ").append(machine.memoryMiB()).append(" MiB, ")
                .append(machine.os()).append(", ").append(machine.jvm()).append("\n");
        out.append(String.format(Locale.ROOT, "- history: %,d events of the real SDK's captured mix over %d days (%d pages, %,d distinct error"
                        + " messages) and %d session recordings of %d chunks, published to Kafka as the gateway publishes, stored and counted by the"
                        + " real writer and aggregator (the MongoDB-wire stand-in and Redis)%n", shape.events(), shape.span().toDays(), shape.pages(),
                shape.distinctErrors(), shape.recordings(), shape.chunksPerRecording()));
        out.append(String.format(Locale.ROOT, "- stored: %,d records published in %.0f s; the writer held them all %.0f s and the aggregator"
                        + " %.0f s after publishing began; %,d documents in MongoDB, %,d Redis keys using %.1f MiB%n", history.records(),
                history.publishSeconds(), history.writerSeconds(), history.aggregatorSeconds(), history.storedDocuments(), history.redisKeys(),
                history.redisUsedMiB()));
        out.append(String.format(Locale.ROOT, "- the metrics were read first, from %.1f minutes after the newest event (the history ends when"
                + " publishing begins), so a 15 m window holds that much less of it; then counting under reads (last section); then the writer's"
                + " reads; the infrastructure's JVM (Kafka, the stand-in): %s%n", newestEventMinutesBeforeReads, infrastructure));
        out.append(String.format(Locale.ROOT, "- each read: two calls unmeasured, then up to %d calls one after another, for at most %d s"
                        + " (at least 3), over HTTP with the project's read token; p99 of fewer than 100 calls is their slowest but one or"
                        + " their slowest; services' JVM options: %s; infrastructure's: %s%n%n", settings.repetitions(),
                settings.budgetSecondsPerRead(), settings.serviceJvmOptions(), settings.infrastructureJvmOptions()));
        out.append("| service | read | window | calls | p50 ms | p99 ms | max ms | Redis commands / call | Redis bytes back / call"
                + " | peak heap MiB | target | met |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (Read read : reads) {
            out.append("| ").append(read.service()).append(" | ").append(read.read())
                    .append(read.note().isEmpty() ? "" : " (" + read.note() + ")").append(" | ").append(read.window())
                    .append(" | ").append(read.samples()).append(" | ").append(fmt(read.p50Ms())).append(" | ").append(fmt(read.p99Ms()))
                    .append(" | ").append(fmt(read.maxMs())).append(" | ")
                    .append(read.redisCommands() == null ? "" : String.format(Locale.ROOT, "%,d", read.redisCommands())).append(" | ")
                    .append(read.redisBytesBack() == null ? "" : String.format(Locale.ROOT, "%,d", read.redisBytesBack())).append(" | ")
                    .append(fmt(read.peakHeapMiB())).append(" | ").append(read.target() == null ? "" : read.target()).append(" | ")
                    .append(read.met() == null ? "" : read.met() ? "yes" : "**no**").append(" |\n");
        }
        out.append("\n## Answers checked against the history\n\n| service | answer | published | answered | holds |\n| --- | --- | --- | --- | --- |\n");
        for (Check check : checks) {
            out.append(String.format(Locale.ROOT, "| %s | %s | %,d | %,d | %s |%n", check.service(), check.answer(), check.expected(),
                    check.answered(), check.holds() ? "yes" : "**no**"));
        }
        out.append("\n## Counting while dashboards refresh\n\nA burst of new events waiting in Kafka while the aggregator is paused; how long it"
                + " took to count all of it once resumed, with no dashboard open, then with dashboards refreshing the 1 h view back to back (each: the overview, then four calls"
                + " at once), and what their calls were answered meanwhile.\n\n| dashboards | events | counted in s | events/s | × of none | answers |\n"
                + "| --- | --- | --- | --- | --- | --- |\n");
        double alone = counting.isEmpty() ? 0 : counting.get(0).events() / counting.get(0).seconds();
        for (CountingUnderReads burst : counting) {
            double rate = burst.events() / burst.seconds();
            out.append(String.format(Locale.ROOT, "| %d | %,d | %.1f | %,.0f | %.2f | %s |%n", burst.dashboards(), burst.events(), burst.seconds(),
                    rate, alone == 0 ? 0 : rate / alone, burst.answers()));
        }
        return out.toString();
    }

    private static String fmt(Double value) {
        return value == null ? "" : String.format(Locale.ROOT, value >= 100 ? "%,.0f" : "%.1f", value);
    }
}
