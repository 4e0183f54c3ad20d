package dev.trackpipeline.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Smoke-runs {@code bin/track soak} for 10 seconds, two intervals of 5: the load runs, every interval is sampled
 * (throughput, latency, both lags, end-to-end latency, heap, RSS of each service) and the report
 * is written. Whether the lines are flat is for the 30-minute run's reader, not for a test.
 */
class QuickSoakIT {

    @Test
    void samplesEveryIntervalOfASteadyLoadAndWritesTheReport(@TempDir Path results) throws Exception {
        Path home = Path.of(System.getProperty("track.home"));
        Path fixtures = Path.of(System.getProperty("track.fixtures.dir")).resolve("captured.jsonl");

        int exit = new CommandLine(new SoakCommand()).execute("--duration", "10s", "--interval", "5s", "--rate", "100",
                "--home", home.toString(), "--fixtures", fixtures.toString(), "--output", results.toString());

        assertThat(exit).isZero();
        Path report;
        try (Stream<Path> files = Files.list(results)) {
            report = files.filter(file -> file.getFileName().toString().startsWith("soak-")).findFirst().orElseThrow();
        }
        List<String> rows = Files.readAllLines(report).stream().filter(line -> line.matches("\\| \\d+ \\|.*")).toList();
        assertThat(rows).hasSize(2).allSatisfy(row -> {
            String[] cells = row.split("\\|");
            assertThat(Double.parseDouble(cells[2].trim())).as("events/s").isPositive();
            assertThat(cells[3].trim()).as("failed requests").isEqualTo("0");
            assertThat(cells[10].trim()).as("heap of the three services").matches("\\d+/\\d+/\\d+");
            assertThat(cells[12].trim()).as("RSS of the three services").matches("[1-9]\\d*/[1-9]\\d*/[1-9]\\d*");
        });
        assertThat(Files.readString(report)).contains("100 events/s", "- writer lag:", "- consumer-aggregator RSS MiB:");
    }
}
