package dev.trackpipeline.aggregator.query;

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
 * A window ending now, such as {@code 15m}, {@code 1h}, {@code 24h} or {@code 7d}. Up to 48 h it
 * is read from minute buckets, beyond that from hour buckets (kept 30 days).
 */
public record MetricWindow(String text, Duration length, Resolution resolution) {

    private static final Pattern FORMAT = Pattern.compile("(\\d{1,4})([mhd])");
    static final Duration MINUTE_BUCKETS_UP_TO = Duration.ofHours(48);
    static final Duration LONGEST = Duration.ofDays(30);

    public static MetricWindow parse(String text) {
        Duration length = duration("window", text);
        Resolution resolution = length.compareTo(MINUTE_BUCKETS_UP_TO) <= 0 ? Resolution.MINUTE : Resolution.HOUR;
        return new MetricWindow(text, length, resolution);
    }

    /** The buckets covering the window that ends in the bucket holding {@code now}, oldest first. */
    public List<Long> buckets(Instant now) {
        long last = resolution.bucketOf(now);
        long count = Math.max(1, length.toMillis() / resolution.length().toMillis());
        List<Long> buckets = new ArrayList<>();
        for (long bucket = last - count + 1; bucket <= last; bucket++) {
            buckets.add(bucket);
        }
        return buckets;
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
