package dev.trackpipeline.aggregator.query;

import dev.trackpipeline.runtime.ApiException;
import dev.trackpipeline.runtime.ApiResponse;
import dev.trackpipeline.runtime.ReadAuthorization;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpHeaders;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The metrics API over Redis; same Bearer read token as the query API. */
@RestController
public class MetricsController {

    static final int MAX_LIMIT = 100;

    private final MetricsReader reader;
    private final ReadAuthorization authorization;
    private final Clock clock;

    public MetricsController(MetricsReader reader, ReadAuthorization authorization) {
        this.reader = reader;
        this.authorization = authorization;
        this.clock = Clock.systemUTC();
    }

    @GetMapping("/api/metrics/overview")
    public ApiResponse<Overview> overview(@RequestParam String apikey, @RequestParam(defaultValue = "1h") String window,
                                          @RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String authorizationHeader) {
        authorization.requireRead(apikey, authorizationHeader);
        return ApiResponse.ok(reader.overview(apikey, MetricWindow.parse(window), clock.instant()));
    }

    /** p50/p75/p95 and rating counts per web vital. */
    @GetMapping("/api/metrics/vitals")
    public ApiResponse<Map<String, VitalSummary>> vitals(@RequestParam String apikey, @RequestParam(defaultValue = "1h") String window,
                                                         @RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String authorizationHeader) {
        authorization.requireRead(apikey, authorizationHeader);
        return ApiResponse.ok(reader.vitals(apikey, MetricWindow.parse(window), clock.instant()));
    }

    /** The largest error groups (by fingerprint) in the window, with a sample of each. */
    @GetMapping("/api/metrics/top-errors")
    public ApiResponse<List<TopError>> topErrors(@RequestParam String apikey, @RequestParam(defaultValue = "1h") String window,
                                                 @RequestParam(defaultValue = "10") int limit,
                                                 @RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String authorizationHeader) {
        authorization.requireRead(apikey, authorizationHeader);
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "limit: must be between 1 and " + MAX_LIMIT + ", got " + limit);
        }
        return ApiResponse.ok(reader.topErrors(apikey, MetricWindow.parse(window), clock.instant(), limit));
    }
}
