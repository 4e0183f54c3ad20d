package dev.trackpipeline.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Smoke-runs {@code bin/track bench --quick} end to end: every stage and every baseline runs and
 * is reported. How fast anything was is not asserted: timing belongs to the benchmark's report,
 * never to a test's verdict.
 */
class QuickBenchIT {

    @Test
    void measuresEveryStageBesideItsBaselineAndWritesTheReport(@TempDir Path results) throws Exception {
        Path home = Path.of(System.getProperty("track.home"));
        Path fixtures = Path.of(System.getProperty("track.fixtures.dir")).resolve("captured.jsonl");

        // Quick mode, shorter still: every stage and baseline runs as it does in --quick (115 s here), on 1 s load runs
        // instead of 2, drains of 5,000 events after 2,500 instead of 10,000 after 5,000, a pause of at most 1 s for
        // the compilers and 10 probes; what is asserted is that each figure was measured, which these measure too.
        int exit = new CommandLine(new BenchCommand()).execute("--quick", "--seconds", "1", "--drain-events", "5000",
                "--drain-warm-up", "2500", "--drain-settle", "1", "--probes", "10", "--home", home.toString(),
                "--fixtures", fixtures.toString(), "--output", results.toString());

        assertThat(exit).isZero();
        JsonNode report = JsonMapper.builder().build().readTree(Files.readString(results.resolve("latest-quick.json")));
        assertThat(report.path("machine").path("cores").intValue()).isPositive();
        assertThat(report.path("settings").path("mode").stringValue()).isEqualTo("quick");
        List<String> names = new ArrayList<>();
        report.path("figures").forEach(figure -> names.add(figure.path("name").stringValue()));
        assertThat(names).hasSize(27).contains("writer drain CPU per event, all processes", "aggregator's own CPU per event",
                "writer's JIT compilers' CPU per event", "aggregator's pause for its compilers before the drain",
                "gateway single events at saturation", "gateway batches of 10", "gateway batches of 50",
                "writer drain", "aggregator drain", "end to end p99, 202 → MongoDB, at half load",
                "end to end p99, 202 → metrics API, at half load", "gateway peak RSS under load");
        report.path("figures").forEach(figure -> {
            assertThat(figure.path("value").path("median").doubleValue()).as(figure.path("name").stringValue()).isPositive();
            if (!figure.path("baseline").isNull()) {
                assertThat(figure.path("baseline").path("median").doubleValue()).as(figure.path("name") + " baseline").isPositive();
            }
        });
        assertThat(Files.readString(results.resolve("latest-quick.md")))
                .contains("| writer drain |", "raw insertMany", "raw pipelined Redis", "ProducerPerformance", "no-op route");
    }
}
