package dev.trackpipeline.aggregator.query;

import dev.trackpipeline.aggregator.metrics.MetricKeys.Bucket;
import dev.trackpipeline.aggregator.metrics.MetricKeys.Resolution;
import dev.trackpipeline.runtime.ApiException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;

/**
 * A window ending now, such as {@code 15m}, {@code 1h}, {@code 24h} or {@code 7d}: whole buckets of
 * its {@code resolution}, the precision of its start, ending with the one holding now, as many as
 * its length takes (at least one). Up to an hour it starts at a minute, up to a day at an hour,
 * beyond that at midnight (UTC): a {@code 24h} window runs from the start of the hour 23 hours
 * before the current one, a {@code 48h} window from midnight yesterday, a {@code 7d} window from
 * midnight six days ago.
 *
 * <p>The precision is what keeps a project's Redis small ({@code RedisMemoryBound}): whatever
 * window or series step is asked, no read needs a minute bucket older than an hour, an hour bucket
 * older than a day, or a day bucket older than 30 days ({@link #oldestRead}). A window starting at
 * a minute 48 hours ago needed that minute's bucket, so minute buckets were kept 48 hours (2,880
 * of them, about 4 GB with every cap full), and one starting at an hour 30 days ago needed hour
 * buckets for 30 days (720, over 3 GB).
 *
 * <p>It is read from the coarsest buckets that fit in it ({@link #cover}): every event is counted
 * in a minute, an hour and a day bucket, so the minutes from its start to the next hour, the hours
 * from there to the next day, then whole days, the last of them the day holding now. A window then
 * costs at most 23 + 30 buckets however long it is, where minute by minute a day took 1,440; its
 * counts are the same, since each event is in exactly one bucket of the cover.
 *
 * <p>A window of at most an hour is read minute by minute all the same (at most 60 buckets, no
 * more than the cover of a longer window): what a bucket names apart (pages, error groups, failing
 * requests) it counts exactly only since it (last) named it, and under a flood of new names a
 * minute bucket, which sees fewer of them, keeps the real ones apart with their every occurrence
 * where the hour bucket may not. (Any window of {@code MINUTE} resolution is read so; only tests make
 * longer ones, to compare a window's cover with its minutes.)
 */
public record MetricWindow(String text, Duration length, Resolution resolution) {

    private static final Pattern FORMAT = Pattern.compile("(\\d{1,4})([mhd])");
    /** The longest windows that start at a minute: read minute by minute. */
    public static final Duration MINUTE_BY_MINUTE_UP_TO = Duration.ofHours(1);
    /** The longest windows that start at an hour; longer ones start at a day. */
    public static final Duration HOURS_UP_TO = Duration.ofHours(24);
    public static final Duration LONGEST = Duration.ofDays(30);

    public static MetricWindow parse(String text) {
        Duration length = duration("window", text);
        Resolution resolution = length.compareTo(MINUTE_BY_MINUTE_UP_TO) <= 0 ? Resolution.MINUTE
                : length.compareTo(HOURS_UP_TO) <= 0 ? Resolution.HOUR : Resolution.DAY;
        return new MetricWindow(text, length, resolution);
    }

    /**
     * How old, at most, is the end of the oldest bucket of {@code resolution} that any window or
     * series step needs: a window reads buckets of a resolution only back to its own start, so
     * buckets kept longer than this after their end are never read again.
     */
    public static Duration oldestRead(Resolution resolution) {
        return switch (resolution) {
            case MINUTE -> MINUTE_BY_MINUTE_UP_TO.minus(resolution.length());
            case HOUR -> HOURS_UP_TO.minus(resolution.length());
            case DAY -> LONGEST.minus(resolution.length());
        };
    }

    /**
     * The first minute of the window: a whole number of its resolution's buckets ending with the
     * one holding {@code now}, as many as its length takes (so at least that one).
     */
    public long firstMinute(Instant now) {
        long bucket = resolution.length().toMillis();
        long count = Math.max(1, (length.toMillis() + bucket - 1) / bucket);
        return (resolution.bucketOf(now) - count + 1) * resolution.minutes();
    }

    /** The minute holding {@code now}, the window's last. */
    public static long lastMinute(Instant now) {
        return Resolution.MINUTE.bucketOf(now);
    }

    public long startMillis(Instant now) {
        return firstMinute(now) * Resolution.MINUTE.length().toMillis();
    }

    /** The end of the bucket of the window's resolution holding {@code now}. */
    public long endMillis(Instant now) {
        return (resolution.bucketOf(now) + 1) * resolution.length().toMillis();
    }

    /** The buckets that hold each event of the window exactly once, coarsest where they fit, oldest first. */
    public List<Bucket> cover(Instant now) {
        return cover(now, Long.MIN_VALUE);
    }

    /**
     * The window's cover ({@link #cover(Instant)}), taking from their day buckets only the days
     * from {@code firstWholeDay} on (since the epoch, UTC): those before it were not all counted
     * by day (day buckets are written since 07ec453), so they are read from their hours.
     */
    public List<Bucket> cover(Instant now, long firstWholeDay) {
        if (resolution == Resolution.MINUTE) {
            List<Bucket> minutes = new ArrayList<>();
            for (long minute = firstMinute(now); minute <= lastMinute(now); minute++) {
                minutes.add(new Bucket(Resolution.MINUTE, minute));
            }
            return minutes;
        }
        return cover(firstMinute(now), lastMinute(now) + 1, true, firstWholeDay);
    }

    /**
     * Buckets holding each minute from {@code fromMinute} to {@code toMinute} (exclusive) once:
     * from the left, the coarsest bucket that starts there and ends by {@code toMinute}. When
     * {@code openEnd}, {@code toMinute} is the minute after now and nothing is counted after it, so
     * a bucket that starts in time may end later: the hour and the day holding now.
     */
    static List<Bucket> cover(long fromMinute, long toMinute, boolean openEnd) {
        return cover(fromMinute, toMinute, openEnd, Long.MIN_VALUE);
    }

    /** As {@link #cover(long, long, boolean)}, with day buckets only from {@code firstWholeDay} on. */
    public static List<Bucket> cover(long fromMinute, long toMinute, boolean openEnd, long firstWholeDay) {
        List<Bucket> cover = new ArrayList<>();
        long minute = fromMinute;
        while (minute < toMinute) {
            Resolution fitting = Resolution.MINUTE;
            for (Resolution coarser : List.of(Resolution.DAY, Resolution.HOUR)) {
                if (minute % coarser.minutes() == 0 && (openEnd || minute + coarser.minutes() <= toMinute)
                        && (coarser != Resolution.DAY || minute / coarser.minutes() >= firstWholeDay)) {
                    fitting = coarser;
                    break;
                }
            }
            cover.add(new Bucket(fitting, minute / fitting.minutes()));
            minute += fitting.minutes();
        }
        return cover;
    }

    /** A duration such as {@code 15m}, {@code 1h} or {@code 7d}, at most 30 days; {@code parameter} names it in errors. */
    static Duration duration(String parameter, String text) {
        Matcher matcher = FORMAT.matcher(text);
        if (!matcher.matches()) {
            throw invalid(parameter, text);
        }
        long amount = Long.parseLong(matcher.group(1));
        Duration length = switch (matcher.group(2)) {
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
        if (length.isZero() || length.compareTo(LONGEST) > 0) {
            throw invalid(parameter, text);
        }
        return length;
    }

    private static ApiException invalid(String parameter, String text) {
        return new ApiException(HttpStatus.BAD_REQUEST,
                parameter + ": expected a duration such as 15m, 1h, 24h or 7d, at most 30d, got \"" + text + "\"");
    }
}
