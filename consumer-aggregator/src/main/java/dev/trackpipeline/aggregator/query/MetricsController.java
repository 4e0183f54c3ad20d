package dev.trackpipeline.aggregator.query;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import dev.trackpipeline.runtime.ApiException;
import dev.trackpipeline.runtime.ApiResponse;
import dev.trackpipeline.runtime.ReadAuthorization;
import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.model.urls.UrlPaths;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpHeaders;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The metrics API over Redis; same Bearer read token as the query API. */
@RestController
@Tag(name = "metrics", description = "Rolling metrics from Redis: counts, rates, percentiles, top errors, distinct sessions")
public class MetricsController {

    static final int MAX_LIMIT = 100;
    static final List<String> SERIES = List.of("events", "errors", "sessions", "whiteScreens");
    static final List<String> STATUS_SERIES = List.of("status:ok", "status:error", "status:other");
    /** Every event type, the statuses and the other series fit, with room to spare. */
    static final int MAX_SERIES = 40;

    private final MetricsReader reader;
    private final EventFamilies families;
    private final ReadAuthorization authorization;
    private final Clock clock;

    public MetricsController(MetricsReader reader, ReadAuthorization authorization, EventFamilies families) {
        this.reader = reader;
        this.families = families;
        this.authorization = authorization;
        this.clock = Clock.systemUTC();
    }

    @Operation(summary = "A project's numbers over a window", description = "Events by type and status, errors and the error rate, "
            + "distinct sessions, white screens and the p75 of each web vital with its rating.")
    @GetMapping("/api/metrics/overview")
    public ApiResponse<Overview> overview(@RequestParam String apikey, @RequestParam(defaultValue = "1h") String window,
                                          @RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String authorizationHeader) {
        authorization.requireRead(apikey, authorizationHeader);
        return ApiResponse.ok(reader.overview(apikey, MetricWindow.parse(window), clock.instant()));
    }

    /**
     * A metric per step over a window: {@code events}, {@code errors}, {@code sessions},
     * {@code whiteScreens}, {@code type:<type>} or {@code status:ok|error|other}. The step is a whole
     * number of the window's buckets (minutes up to 1 h, hours up to 24 h, days beyond: the
     * precision of its start, {@link MetricWindow}); by default the window
     * is split into about 60 points.
     */
    @Operation(summary = "One metric per step over a window", description = "metric: events, errors, sessions, whiteScreens, "
            + "type:<event type> or status:ok|error|other. step: a whole number of the window's buckets (minutes up to 1 h, hours "
            + "up to 24 h, days beyond; a window starts at such a bucket); by default about 60 points, or one a bucket.")
    @GetMapping("/api/metrics/timeseries")
    public ApiResponse<TimeSeries> timeSeries(@RequestParam String apikey, @RequestParam(defaultValue = "events") String metric,
                                              @RequestParam(defaultValue = "1h") String window,
                                              @RequestParam(required = false) String step,
                                              @RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String authorizationHeader) {
        authorization.requireRead(apikey, authorizationHeader);
        requireSeriesMetric("metric", metric);
        MetricWindow parsedWindow = MetricWindow.parse(window);
        Duration parsedStep = stepOf(parsedWindow, step);
        String stepText = step == null ? parsedStep.toMinutes() + "m" : step;
        return ApiResponse.ok(reader.timeSeries(apikey, metric, parsedWindow, parsedStep, stepText, clock.instant()));
    }

    /**
     * Several of the metrics {@code /api/metrics/timeseries} draws, over one window and step, as
     * columns: what a chart of several series needs, in one call that reads each bucket once.
     */
    @Operation(summary = "Several metrics per step over a window, as columns", description = "metrics: a comma-separated list "
            + "(at most " + MAX_SERIES + ") of what /api/metrics/timeseries accepts. t holds each step's start (epoch ms); each "
            + "metric's values are in the same order. Each bucket is read once for every metric.")
    @GetMapping("/api/metrics/series")
    public ApiResponse<TimeSeriesSet> series(@RequestParam String apikey, @RequestParam List<String> metrics,
                                             @RequestParam(defaultValue = "1h") String window,
                                             @RequestParam(required = false) String step,
                                             @RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String authorizationHeader) {
        authorization.requireRead(apikey, authorizationHeader);
        if (metrics.isEmpty() || metrics.size() > MAX_SERIES) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "metrics: expected 1 to " + MAX_SERIES + " metrics, got " + metrics.size());
        }
        metrics.forEach(metric -> requireSeriesMetric("metrics", metric));
        MetricWindow parsedWindow = MetricWindow.parse(window);
        Duration parsedStep = stepOf(parsedWindow, step);
        String stepText = step == null ? parsedStep.toMinutes() + "m" : step;
        return ApiResponse.ok(reader.timeSeries(apikey, metrics, parsedWindow, parsedStep, stepText, clock.instant()));
    }

    private void requireSeriesMetric(String parameter, String metric) {
        if (!SERIES.contains(metric) && !(metric.startsWith("type:") && families.forType(metric.substring(5)).isPresent())
                && !STATUS_SERIES.contains(metric)) {
            throw new ApiException(HttpStatus.BAD_REQUEST, parameter + ": expected one of " + SERIES + ", type:<event type> or "
                    + STATUS_SERIES + ", got \"" + metric + "\"");
        }
    }

    /** The step asked for, or about 60 points of the window; a whole number of the window's buckets, at most the window. */
    private static Duration stepOf(MetricWindow window, String step) {
        Duration bucket = window.resolution().length();
        Duration parsed = step == null
                ? bucket.multipliedBy(Math.max(1, window.length().toMillis() / bucket.toMillis() / 60))
                : MetricWindow.duration("step", step);
        if (parsed.toMillis() % bucket.toMillis() != 0 || parsed.compareTo(window.length()) > 0) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "step: must be a whole number of "
                    + window.resolution().name().toLowerCase(Locale.ROOT) + "s and at most the window, got \"" + step + "\"");
        }
        return parsed;
    }

    /**
     * p50/p75/p95 and rating counts per web vital, of the whole project or of one page
     * ({@code pageUrl}, reduced as {@link UrlPaths#page} reduces the SDK's).
     */
    @Operation(summary = "Web vitals percentiles of the project or of one page", description = "p50, p75 and p95 within 1 % "
            + "(within 11.1 % for one page: a page's histograms are coarser, so that each page's hash stays small), the web-vitals "
            + "rating of p75 and the counts by rating. pageUrl is reduced as the SDK's page URLs are: path and hash route.")
    @GetMapping("/api/metrics/vitals")
    public ApiResponse<Map<String, VitalSummary>> vitals(@RequestParam String apikey, @RequestParam(defaultValue = "1h") String window,
                                                         @RequestParam(required = false) String pageUrl,
                                                         @RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String authorizationHeader) {
        authorization.requireRead(apikey, authorizationHeader);
        MetricWindow parsedWindow = MetricWindow.parse(window);
        if (pageUrl == null || pageUrl.isBlank()) {
            return ApiResponse.ok(reader.vitals(apikey, parsedWindow, clock.instant()));
        }
        return ApiResponse.ok(reader.pageVitals(apikey, UrlPaths.page(pageUrl), parsedWindow, clock.instant()));
    }

    /** The pages with the highest p75 of one web vital ({@code vital}, LCP by default), slowest first. */
    @Operation(summary = "Pages by the p75 of one web vital, slowest first", description = "Each bucket keeps at most so many pages "
            + "apart (track.aggregator.max-pages-per-minute-bucket, and max-pages-per-project for hour and day buckets), chosen by how often "
            + "they were measured; the others are counted together as (other), and a page shows its vitals since its bucket named it. "
            + "p75 is within 11.1 %, so pages closer than that may tie (ties by page). Only the window's busiest pages are ranked "
            + "(track.aggregator.reads.slowest-page-candidates, 100: those measured most often) and (other), so that the cost of "
            + "a call is bounded whatever the page caps.")
    @GetMapping("/api/metrics/pages")
    public ApiResponse<List<PageVital>> slowestPages(@RequestParam String apikey, @RequestParam(defaultValue = "1h") String window,
                                                     @RequestParam(defaultValue = "LCP") String vital,
                                                     @RequestParam(defaultValue = "10") int limit,
                                                     @RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String authorizationHeader) {
        authorization.requireRead(apikey, authorizationHeader);
        ApiException.requireBetween("limit", limit, 1, MAX_LIMIT);
        if (!MetricsReader.VITALS.contains(vital)) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "vital: expected one of " + MetricsReader.VITALS + ", got \"" + vital + "\"");
        }
        return ApiResponse.ok(reader.slowestPages(apikey, vital, MetricWindow.parse(window), clock.instant(), limit));
    }

    /** Long tasks, resource load durations and the most frequent failing requests in the window. */
    @Operation(summary = "What made pages slow or broken", description = "Long tasks, resource load durations, the most frequent "
            + "failing requests (METHOD /path, at most 200 characters: a longer one keeps its beginning and a hash; each bucket names "
            + "at most so many, chosen by how often they failed, the rest count as (other)) and the pages' JavaScript heap in the window.")
    @GetMapping("/api/metrics/performance")
    public ApiResponse<PageCosts> performance(@RequestParam String apikey, @RequestParam(defaultValue = "1h") String window,
                                              @RequestParam(defaultValue = "20") int limit,
                                              @RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String authorizationHeader) {
        authorization.requireRead(apikey, authorizationHeader);
        ApiException.requireBetween("limit", limit, 1, MAX_LIMIT);
        return ApiResponse.ok(reader.pageCosts(apikey, MetricWindow.parse(window), clock.instant(), limit));
    }

    /** The largest error groups (by fingerprint) in the window, with a sample of each. */
    @Operation(summary = "The largest error groups in the window", description = "Grouped by fingerprint, largest first, each with "
            + "its title, type and the id of one event (readable from the writer's /api/errors/{id}). Each bucket names at most so many "
            + "groups (track.aggregator.max-groups-per-minute-bucket, and max-groups-per-bucket for hour and day buckets), chosen by "
            + "how often they occurred; the others are counted together as "
            + "(other), and a group shows its count since its bucket named it.")
    @GetMapping("/api/metrics/top-errors")
    public ApiResponse<List<TopError>> topErrors(@RequestParam String apikey, @RequestParam(defaultValue = "1h") String window,
                                                 @RequestParam(defaultValue = "10") int limit,
                                                 @RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String authorizationHeader) {
        authorization.requireRead(apikey, authorizationHeader);
        ApiException.requireBetween("limit", limit, 1, MAX_LIMIT);
        return ApiResponse.ok(reader.topErrors(apikey, MetricWindow.parse(window), clock.instant(), limit));
    }
}
