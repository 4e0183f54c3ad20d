package dev.trackpipeline.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Smoke-runs {@code bin/track bench --pipeline --quick} end to end: the infrastructure in a
 * process of its own, the services from their jars, wrk posting the captured requests, and a
 * report with every figure. How fast anything was is not asserted: timing belongs to the
 * benchmark's report, never to a test's verdict. On a machine without wrk (the README's quick start
 * asks only for Java) it is skipped, as the browser test is without Chromium; CI installs wrk and
 * sets {@code TRACK_REQUIRE_WRK}, so there it never is.
 */
class QuickPipelineBenchIT {

    @Test
    void measuresTheWholePipelineWithWrkAndWritesTheReport(@TempDir Path results) throws Exception {
        if (!"true".equals(System.getenv("TRACK_REQUIRE_WRK"))) {
            assumeTrue(Wrk.installed(), "Debian package wrk is not installed; the pipeline benchmark's smoke run is skipped");
        }
        Path home = Path.of(System.getProperty("track.home"));
        Path fixtures = Path.of(System.getProperty("track.fixtures.dir")).resolve("captured.jsonl");

        int exit = new CommandLine(new BenchCommand()).execute("--pipeline", "--quick", "--home", home.toString(),
                "--fixtures", fixtures.toString(), "--output", results.toString());

        assertThat(exit).isZero();
        JsonNode report = JsonMapper.builder().build().readTree(Files.readString(results.resolve("latest-pipeline-quick.json")));
        Map<String, JsonNode> figures = new LinkedHashMap<>();
        report.path("figures").forEach(figure -> figures.put(figure.path("name").stringValue(), figure));
        assertThat(figures).containsKeys("whole pipeline, sustained", "whole pipeline at saturation, warm (the consumers fall behind)",
                "cold start, 0-5 s after ready", "cold start, 10-15 s after ready", "gateway alone at saturation",
                "gateway alone: its CPU per event", "peak RSS: gateway", "peak RSS: consumer-writer", "peak RSS: consumer-aggregator",
                "peak RSS: infrastructure JVM (Kafka, MongoDB-wire stand-in)", "peak RSS: redis-server");
        // Everything that ran answered: wrk counted requests, and every process was seen.
        for (String measured : new String[] {"cold start, 0-5 s after ready", "gateway alone at saturation",
                "peak RSS: infrastructure JVM (Kafka, MongoDB-wire stand-in)", "peak RSS: consumer-writer",
                "cold start, first 15 s: CPU of the JIT compilers: gateway",
                "cold start: best window within 30 s of ready, as a share of warm saturation"}) {
            assertThat(figures.get(measured).path("value").path("median").doubleValue()).as(measured).isPositive();
        }
        assertThat(figures.get("gateway alone at saturation").path("baselineName").stringValue()).isEqualTo("its no-op route (wrk)");
        assertThat(figures.get("gateway alone at saturation").path("baseline").path("median").doubleValue()).isPositive();
        assertThat(figures.get("cold start: best window within 30 s of ready, as a share of warm saturation").path("target").stringValue())
                .isEqualTo("≥ 0.8×");
        assertThat(Files.readString(results.resolve("latest-pipeline-quick.md"))).contains("| whole pipeline, sustained |", "wrk -t2",
                "the services' JVM options: " + String.join(" ", BenchServices.JVM_OPTIONS));
    }
}
