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
 * Smoke-runs {@code bin/track micro-bench --quick}: every JMH benchmark runs on the captured mix
 * and each pair is reported beside its baseline. No timing is judged.
 */
class QuickMicroBenchIT {

    @Test
    void runsEveryPerEventBenchmarkBesideItsBaselineAndWritesTheReport(@TempDir Path results) throws Exception {
        Path fixtures = Path.of(System.getProperty("track.fixtures.dir")).resolve("captured.jsonl");

        int exit = new CommandLine(new MicroBenchCommand()).execute("--quick", "--fixtures", fixtures.toString(),
                "--home", System.getProperty("track.home"), "--output", results.toString());

        assertThat(exit).isZero();
        List<Path> written;
        try (var files = Files.list(results)) {
            written = files.toList();
        }
        assertThat(written).extracting(path -> path.getFileName().toString())
                .anyMatch(name -> name.endsWith("-micro-quick.md")).anyMatch(name -> name.endsWith("-micro-quick-jmh.json"));
        Path json = written.stream().filter(path -> path.getFileName().toString().endsWith("-micro-quick.json")).findFirst().orElseThrow();
        JsonNode report = JsonMapper.builder().build().readTree(Files.readString(json));
        assertThat(report.path("settings").path("mode").stringValue()).isEqualTo("micro-quick");
        List<String> names = new ArrayList<>();
        report.path("figures").forEach(figure -> {
            names.add(figure.path("name").stringValue());
            assertThat(figure.path("value").path("median").doubleValue()).as(figure.path("name").stringValue()).isPositive();
            assertThat(figure.path("baseline").path("median").doubleValue()).as(figure.path("name") + " baseline").isPositive();
        });
        assertThat(names).containsExactly("the writer reads an event (headers, JSON tree, validation)",
                "the aggregator reads an event (skipping replay recordings)", "the writer encodes an event's document");
    }
}
