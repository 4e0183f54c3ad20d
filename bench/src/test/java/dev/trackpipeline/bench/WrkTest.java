package dev.trackpipeline.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WrkTest {

    @Test
    void readsTheResultLineItsScriptPrints() {
        String output = """
                Running 10s test @ http://127.0.0.1:3000/reportData
                  2 threads and 32 connections
                wrk-result requests=61234 micros=10001234 bytes=99 status_errors=3 socket_errors=1 p50=2100 p99=11800 max=40000
                Requests/sec:   6122.65
                """;

        Wrk.Result result = Wrk.parse(output);

        assertThat(result.requests()).isEqualTo(61_234);
        assertThat(result.requestsPerSecond()).isCloseTo(6122.65, org.assertj.core.data.Offset.offset(0.1));
        assertThat(result.refused()).isEqualTo(3);
        assertThat(result.socketErrors()).isEqualTo(1);
        assertThat(result.p50Ms()).isEqualTo(2.1);
        assertThat(result.p99Ms()).isEqualTo(11.8);
    }

    @Test
    void countsOnlyAnswersUnder400AsAccepted() {
        Wrk.Result result = new Wrk.Result(10_000, 2.0, 1_000, 0, 1, 2, 3);

        assertThat(result.requestsPerSecond()).isEqualTo(5_000);
        assertThat(result.acceptedPerSecond()).isEqualTo(4_500);
    }

    @Test
    void concurrentRunsAgainstServersOfOneStageAddUpTheirRates() {
        // Two wrks started together run a few milliseconds apart: each rate is over its own run.
        Wrk.Together together = new Wrk.Together(List.of(new Wrk.Result(30_000, 10.0, 0, 0, 1, 2, 3),
                new Wrk.Result(32_000, 10.1, 200, 3, 1, 2, 3)));

        assertThat(together.acceptedPerSecond()).isCloseTo(3_000 + 31_800 / 10.1, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(together.accepted()).isEqualTo(61_800);
        assertThat(together.refused()).isEqualTo(200);
        assertThat(together.socketErrors()).isEqualTo(3);
    }

    @Test
    void saysWhatWrkPrintedWhenThereIsNoResult() {
        assertThatThrownBy(() -> Wrk.parse("unable to connect to 127.0.0.1:3000 Connection refused"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("wrk printed no result").hasMessageContaining("Connection refused");
    }

    @Test
    void writesEveryCapturedPostAsOneLineWithItsContentTypeAndItsSessionLeftToTheScript(@TempDir Path dir) throws Exception {
        Path fixtures = Path.of(System.getProperty("track.fixtures.dir")).resolve("captured.jsonl");
        long posts = Files.readAllLines(fixtures).stream().filter(line -> line.contains("\"method\":\"POST\"")).count();
        Path mix = dir.resolve("mix");

        double eventsPerRequest = WrkMix.captured(fixtures, mix);

        List<String> lines = Files.readAllLines(mix, StandardCharsets.UTF_8);
        assertThat(lines).hasSize((int) posts);
        assertThat(lines).allSatisfy(line -> {
            assertThat(line.split("\t", 2)[0]).isIn("text/plain;charset=UTF-8", "application/json");
            assertThat(line).contains("\"uuid\":\"__UUID__\"").doesNotContainPattern("\"uuid\":\"(?!__UUID__)");
        });
        assertThat(eventsPerRequest).isGreaterThanOrEqualTo(1);
    }

    @Test
    void refusesACaptureWithNothingToSend(@TempDir Path dir) throws Exception {
        Path empty = Files.writeString(dir.resolve("captured.jsonl"), "{\"method\":\"OPTIONS\",\"path\":\"/reportData\"}\n");

        assertThatThrownBy(() -> WrkMix.captured(empty, dir.resolve("mix")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("holds no POST to send");
    }
}
