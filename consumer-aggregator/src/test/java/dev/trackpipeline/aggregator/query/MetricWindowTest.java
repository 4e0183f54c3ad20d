package dev.trackpipeline.aggregator.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trackpipeline.aggregator.metrics.MetricKeys.Bucket;
import dev.trackpipeline.aggregator.metrics.MetricKeys.Resolution;
import dev.trackpipeline.runtime.ApiException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class MetricWindowTest {

    private static final Instant NOW = Instant.parse("2026-11-26T10:30:30Z");

    @Test
    void anHourIsReadMinuteByMinuteToKeepWhatEachMinuteNamesApartExact() {
        List<Bucket> cover = MetricWindow.parse("1h").cover(NOW);

        assertThat(cover).hasSize(60).allMatch(bucket -> bucket.resolution() == Resolution.MINUTE);
        assertThat(cover.get(0)).isEqualTo(new Bucket(Resolution.MINUTE, Resolution.MINUTE.bucketOf(Instant.parse("2026-11-26T09:31:00Z"))));
        assertThat(cover.get(59)).isEqualTo(new Bucket(Resolution.MINUTE, Resolution.MINUTE.bucketOf(NOW)));
        assertThat(MetricWindow.parse("1h").startMillis(NOW)).isEqualTo(Instant.parse("2026-11-26T09:31:00Z").toEpochMilli());
        assertThat(MetricWindow.parse("1h").endMillis(NOW)).isEqualTo(Instant.parse("2026-11-26T10:31:00Z").toEpochMilli());
    }

    @Test
    void windowsOfMoreThanAnHourStartAtAnHourAndAreReadFromWholeHours() {
        MetricWindow twoHours = MetricWindow.parse("2h");

        assertThat(twoHours.resolution()).isEqualTo(Resolution.HOUR);
        assertThat(twoHours.startMillis(NOW)).isEqualTo(Instant.parse("2026-11-26T09:00:00Z").toEpochMilli());
        assertThat(twoHours.cover(NOW)).containsExactly(new Bucket(Resolution.HOUR, Resolution.HOUR.bucketOf(Instant.parse("2026-11-26T09:00:00Z"))),
                new Bucket(Resolution.HOUR, Resolution.HOUR.bucketOf(NOW)));
        // As many hours as the length takes: 90 minutes are two of them.
        assertThat(MetricWindow.parse("90m").startMillis(NOW)).isEqualTo(Instant.parse("2026-11-26T09:00:00Z").toEpochMilli());
    }

    @Test
    void aDayIsReadFromTheHoursToMidnightThenTheDayHoldingNow() {
        MetricWindow day = MetricWindow.parse("24h");
        Map<Resolution, Long> byResolution = day.cover(NOW).stream()
                .collect(Collectors.groupingBy(Bucket::resolution, Collectors.counting()));

        // From 11:00 yesterday: 13 hours to midnight, then today.
        assertThat(day.startMillis(NOW)).isEqualTo(Instant.parse("2026-11-25T11:00:00Z").toEpochMilli());
        assertThat(byResolution).isEqualTo(Map.of(Resolution.HOUR, 13L, Resolution.DAY, 1L));
    }

    @Test
    void windowsOfMoreThanADayStartAtMidnightAndAreReadFromWholeDays() {
        MetricWindow week = MetricWindow.parse("7d");
        List<Bucket> cover = week.cover(NOW);

        assertThat(week.resolution()).isEqualTo(Resolution.DAY);
        assertThat(week.startMillis(NOW)).isEqualTo(Instant.parse("2026-11-20T00:00:00Z").toEpochMilli());
        assertThat(cover).hasSize(7).allMatch(bucket -> bucket.resolution() == Resolution.DAY);
        assertThat(cover.get(cover.size() - 1)).isEqualTo(new Bucket(Resolution.DAY, Resolution.DAY.bucketOf(NOW)));
        assertThat(MetricWindow.parse("24h").resolution()).isEqualTo(Resolution.HOUR);
        assertThat(MetricWindow.parse("25h").resolution()).isEqualTo(Resolution.DAY);
        assertThat(MetricWindow.parse("50h").startMillis(NOW)).isEqualTo(Instant.parse("2026-11-24T00:00:00Z").toEpochMilli());
        assertThat(MetricWindow.parse("1m").cover(NOW)).containsExactly(new Bucket(Resolution.MINUTE, Resolution.MINUTE.bucketOf(NOW)));
    }

    /**
     * What lets a project keep so few buckets: whatever the window, and whatever step of it a series
     * takes (a whole number of the window's buckets), no bucket read ended longer ago than
     * {@link MetricWindow#oldestRead} says for its resolution, which the retentions must exceed.
     */
    @Test
    void noWindowNorAnyStepOfItReadsABucketOlderThanItsResolutionsOldestRead() {
        for (String text : List.of("1m", "15m", "59m", "1h", "61m", "90m", "6h", "23h", "24h", "25h", "48h", "3d", "7d", "30d")) {
            MetricWindow window = MetricWindow.parse(text);
            for (int minute = 0; minute < 3 * 1440; minute += 37) {
                Instant now = Instant.parse("2026-11-26T00:00:00Z").plus(Duration.ofMinutes(minute)).plusSeconds(17);
                long first = window.firstMinute(now);
                long afterLast = MetricWindow.lastMinute(now) + 1;
                List<Bucket> read = new java.util.ArrayList<>(window.cover(now));
                for (long stepMinutes : List.of(window.resolution().minutes(), 7 * window.resolution().minutes())) {
                    for (long step = Math.floorDiv(first, stepMinutes); step * stepMinutes < afterLast; step++) {
                        long to = Math.min((step + 1) * stepMinutes, afterLast);
                        read.addAll(MetricWindow.cover(Math.max(first, step * stepMinutes), to, to == afterLast, Long.MIN_VALUE));
                    }
                }
                for (Bucket bucket : read) {
                    assertThat(Duration.ofMillis(now.toEpochMilli() - bucket.endMillis())).as(text + " at " + now + ": " + bucket)
                            .isLessThanOrEqualTo(MetricWindow.oldestRead(bucket.resolution()));
                }
            }
        }
    }

    /**
     * What makes the cover's counts those of the window's minutes: its buckets follow each other
     * without gap or overlap from the window's first minute, and only those holding now (where
     * nothing has been counted after now) reach past the window's last minute.
     */
    @Test
    void everyWindowIsCoveredOnceWithoutGapsAndWithABoundedNumberOfBuckets() {
        for (String text : List.of("1m", "15m", "59m", "1h", "90m", "6h", "24h", "25h", "48h", "49h", "3d", "7d", "30d")) {
            MetricWindow window = MetricWindow.parse(text);
            for (int minute = 0; minute < 3 * 1440; minute += 37) {
                Instant now = Instant.parse("2026-11-26T00:00:00Z").plus(Duration.ofMinutes(minute)).plusSeconds(17);
                List<Bucket> cover = window.cover(now);

                assertThat(cover.get(0).startMillis()).as(text + " at " + now).isEqualTo(window.startMillis(now));
                for (int i = 1; i < cover.size(); i++) {
                    assertThat(cover.get(i).startMillis()).as(text + " at " + now).isEqualTo(cover.get(i - 1).endMillis());
                }
                cover.stream().filter(bucket -> bucket.endMillis() > MetricWindow.lastMinute(now) * 60_000 + 60_000)
                        .forEach(bucket -> assertThat(bucket.startMillis()).as(text + " at " + now).isLessThanOrEqualTo(now.toEpochMilli()));
                assertThat(cover.get(cover.size() - 1).endMillis()).as(text + " at " + now).isGreaterThan(now.toEpochMilli());
                assertThat(cover.size()).as(text + " at " + now).isLessThanOrEqualTo(60 + 23 + 31);
            }
        }
    }

    @Test
    void aClosedRangeIsCoveredWithoutReachingPastItsEnd() {
        long tenOClock = Resolution.MINUTE.bucketOf(Instant.parse("2026-11-26T10:00:00Z"));

        assertThat(MetricWindow.cover(tenOClock, tenOClock + 30, false)).hasSize(30)
                .allMatch(bucket -> bucket.resolution() == Resolution.MINUTE);
        assertThat(MetricWindow.cover(tenOClock, tenOClock + 90, false)).hasSize(1 + 30);
        assertThat(MetricWindow.cover(tenOClock, tenOClock + 30, true))
                .containsExactly(new Bucket(Resolution.HOUR, Resolution.HOUR.bucketOf(Instant.parse("2026-11-26T10:00:00Z"))));
    }

    @Test
    void refusesWindowsItCannotAnswer() {
        for (String text : List.of("0m", "31d", "1w", "-1h", "", "10000d")) {
            assertThatThrownBy(() -> MetricWindow.parse(text)).as(text).isInstanceOf(ApiException.class)
                    .hasMessageContaining("window: expected a duration such as 15m, 1h, 24h or 7d, at most 30d");
        }
    }
}
