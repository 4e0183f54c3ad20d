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
 * Smoke-runs {@code bin/track bench --reads --quick}: a small history through Kafka into the
 * real writer and aggregator (processes from their jars), then every read timed over HTTP. It
 * checks that the history was stored whole, that each window's overview counts what was published
 * in it, and that every read was made and answered, never how fast: timing belongs to the
 * benchmark's report.
 */
class QuickReadsBenchIT {

    @Test
    void storesAHistoryThenTimesEveryReadAndWritesTheReport(@TempDir Path results) throws Exception {
        Path home = Path.of(System.getProperty("track.home"));
        Path fixtures = Path.of(System.getProperty("track.fixtures.dir")).resolve("captured.jsonl");

        int exit = new CommandLine(new BenchCommand()).execute("--reads", "--quick", "--history-events", "2000", "--home", home.toString(),
                "--fixtures", fixtures.toString(), "--output", results.toString());

        assertThat(exit).isZero();
        JsonNode report = JsonMapper.builder().build().readTree(Files.readString(results.resolve("latest-reads-quick.json")));
        JsonNode history = report.path("history");
        // Every event published as the gateway publishes was stored, once: 2,000 events and 2 recordings of 40 chunks.
        assertThat(history.path("records").longValue()).isEqualTo(2_080);
        assertThat(history.path("storedDocuments").longValue()).isEqualTo(2_080);
        assertThat(history.path("redisKeys").longValue()).isPositive();
        // At this size the stand-in serves every read, so the infrastructure outlives them all.
        assertThat(report.path("infrastructure").stringValue()).isEqualTo("still running after every read");

        List<String> reads = new ArrayList<>();
        report.path("reads").forEach(read -> {
            String name = read.path("service").stringValue() + ": " + read.path("read").stringValue() + " " + read.path("window").stringValue();
            reads.add(name.trim());
            assertThat(read.path("samples").intValue()).as(name).isGreaterThanOrEqualTo(3);
            assertThat(read.path("failed").intValue()).as(name + " answered 200 every time").isZero();
            assertThat(read.path("p50Ms").doubleValue()).as(name).isPositive();
            assertThat(read.path("peakHeapMiB").doubleValue()).as(name + ": the service's heap was sampled").isPositive();
            if (read.path("service").stringValue().equals("consumer-aggregator")) {
                assertThat(read.path("redisCommands").longValue()).as(name + " reads Redis").isPositive();
            }
        });
        // The quick history's lists are read 10 pages deep, by number and by cursor.
        assertThat(reads).contains("consumer-writer: errors list, page 1", "consumer-writer: errors list, page 10",
                "consumer-writer: errors list, cursor 180 events deep",
                "consumer-writer: errors stats", "consumer-writer: one error by id", "consumer-writer: web vitals list, page 1",
                "consumer-writer: session recording, first chunks", "consumer-writer: session recording, last chunks (cursor)");
        for (String window : ReadsBench.WINDOWS) {
            assertThat(reads).contains("consumer-aggregator: overview " + window, "consumer-aggregator: top errors (10) " + window,
                    "consumer-aggregator: dashboard refresh (the overview, then the other four calls above it at once) " + window);
        }
        // Each window's overview counts every record published in it, no more (the run fails otherwise).
        List<String> checked = new ArrayList<>();
        report.path("checks").forEach(check -> {
            checked.add(check.path("answer").stringValue());
            assertThat(check.path("answered").longValue()).as(check.path("answer").stringValue())
                    .isEqualTo(check.path("expected").longValue());
            if (!check.path("answer").stringValue().startsWith("overview 15m")) {
                // 2,000 events over 30 days: an hour holds about three, so every window but 15 m checks a count, not zero.
                assertThat(check.path("expected").longValue()).as(check.path("answer").stringValue()).isPositive();
            }
        });
        assertThat(checked).hasSize(ReadsBench.WINDOWS.size()).contains("overview 30d: events");
        // A burst counted with no dashboard open, then with eight refreshing back to back, which were answered meanwhile.
        List<Integer> dashboards = new ArrayList<>();
        report.path("counting").forEach(burst -> {
            dashboards.add(burst.path("dashboards").intValue());
            assertThat(burst.path("events").longValue()).isEqualTo(2_000);
            assertThat(burst.path("seconds").doubleValue()).isPositive();
        });
        assertThat(dashboards).containsExactly(0, 8);
        assertThat(report.path("counting").get(1).path("answers").path("200").longValue()).isPositive();
        assertThat(Files.readString(results.resolve("latest-reads-quick.md"))).contains("| consumer-aggregator | dashboard refresh",
                "2,000 events of the real SDK's captured mix over 30 days");
    }
}
