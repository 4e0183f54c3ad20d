package dev.trackpipeline.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.trackpipeline.bench.ScaleOutReport.Measured;
import dev.trackpipeline.bench.ScaleOutReport.Stage;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScaleOutReportTest {

    private static final BenchReport.Machine TWO_CORES = new BenchReport.Machine("2026-12-01T00:00:00Z", "abc", "Linux", "Xeon", 2, 8_000,
            "OpenJDK 25");

    private static Measured measured(double rate, double ownMicros, double allMicros, double busy) {
        return new Measured(rate, new CpuTime.PerEvent(ownMicros, allMicros - ownMicros, allMicros), busy);
    }

    @Test
    void theRatioIsOfTheMediansOfTwoInstancesOverOne() {
        Stage stage = Stage.of("writer", "events/s", List.of(measured(4_000, 160, 420, 0.9), measured(4_200, 160, 420, 0.9),
                measured(3_900, 160, 420, 0.9)), List.of(measured(4_600, 170, 450, 0.97), measured(4_400, 170, 450, 0.97),
                measured(4_500, 170, 450, 0.97)), "");

        assertThat(stage.one().rate().median()).isEqualTo(4_000);
        assertThat(stage.two().rate().median()).isEqualTo(4_500);
        assertThat(stage.ratio()).isCloseTo(1.125, offset(1e-9));
        assertThat(stage.two().count()).isEqualTo(2);
    }

    @Test
    void saysTheRatioBesideHowBusyTheCoresWereAndTheCpuPerEvent() {
        Stage stage = Stage.of("writer", "events/s", List.of(measured(4_000, 160, 426, 0.91)), List.of(measured(4_400, 172, 450, 0.97)), "");

        assertThat(stage.sentence(2)).isEqualTo("two instances reached 1.10× the events/s of one; the machine's 2 cores were 91 % busy"
                + " with one and 97 % with two, and the run's processes took 426 µs of CPU per event with one, 450 µs with two (the"
                + " instances' own share: 160 µs, 172 µs).");
    }

    @Test
    void aStageMeasuredWithoutItsCpuSaysOnlyItsRateAndTheMachine() {
        Stage noop = Stage.of("no-op", "requests/s", List.of(new Measured(18_000, null, 0.99)), List.of(new Measured(17_000, null, Double.NaN)), "");

        assertThat(noop.one().ownCpuMicros()).isNull();
        assertThat(noop.sentence(2)).isEqualTo("two instances reached 0.94× the requests/s of one; the machine's 2 cores were 99 % busy"
                + " with one and unknown with two.");
    }

    @Test
    void wrkWasNotTheLimitWhereTheNoOpRouteWentFarFaster() {
        Stage reportData = Stage.of("/reportData", "requests/s", List.of(measured(6_000, 190, 500, 1)), List.of(measured(6_300, 200, 520, 1)), "");
        Stage noop = Stage.of("no-op", "requests/s", List.of(new Measured(18_000, null, 1)), List.of(new Measured(16_000, null, 1)), "");

        assertThat(ScaleOutReport.wrkCeiling(reportData, noop)).startsWith("wrk was not the limit: /reportData reached 0.33× of the no-op"
                + " route's rate with one gateway and 0.39× with two");
    }

    @Test
    void wrkMayHaveBeenTheLimitWhereReportDataCameCloseToTheNoOpRoute() {
        Stage reportData = Stage.of("/reportData", "requests/s", List.of(measured(6_000, 190, 500, 1)), List.of(measured(7_000, 200, 520, 1)), "");
        Stage noop = Stage.of("no-op", "requests/s", List.of(new Measured(18_000, null, 1)), List.of(new Measured(8_000, null, 1)), "");

        assertThat(ScaleOutReport.wrkCeiling(reportData, noop)).startsWith("**wrk may have been the limit**")
                .contains("0.33× of the no-op route's rate with one gateway and 0.88× with two");
    }

    @Test
    void givesEachInstancesShareOfTheMeasuredEventsRunByRun() {
        assertThat(ScaleOutReport.shares(List.of(List.of(30_600L, 29_400L), List.of(15_000L, 45_000L))))
                .isEqualTo("Events each instance drained, run by run: 51 % / 49 %; 25 % / 75 %.");
    }

    @Test
    void theReportHasARowPerStageAndSaysWhatASecondInstanceCanDoOnTheseCores() {
        Stage writer = Stage.of("writer, drain of a backlog", "events/s", List.of(measured(4_000, 160, 426, 0.91)),
                List.of(measured(4_400, 172, 450, 0.97)), "Events each instance drained, run by run: 50 % / 50 %.");
        var report = new ScaleOutReport(TWO_CORES, new ScaleOutReport.Settings("scale-out", 1, 64, 10, 60_000, 60_000, 60, "-Xmx256m"),
                List.of(writer));

        String markdown = report.markdown();

        assertThat(markdown).contains("| writer, drain of a backlog | 4,000 events/s | 4,400 events/s | 1.10× | 160 µs → 172 µs"
                + " | 426 µs → 450 µs | 91 % → 97 % |");
        assertThat(markdown).contains("This machine has 2 cores", "it competes with the first for the same 2 cores");
        assertThat(markdown).contains("- **writer, drain of a backlog**: two instances reached 1.10×",
                "Events each instance drained, run by run: 50 % / 50 %.");
        assertThat(report.mode()).isEqualTo("scale-out");
    }

    @Test
    void oneInstanceAndTwoTakeTurnsGoingFirst() {
        assertThat(ScaleOut.order(1)).containsExactly(1, 2);
        assertThat(ScaleOut.order(2)).containsExactly(2, 1);
        assertThat(ScaleOut.order(3)).containsExactly(1, 2);
    }
}
