package dev.trackpipeline.aggregator.query;

import dev.trackpipeline.runtime.ApiResponse;
import dev.trackpipeline.runtime.ReadAuthorization;
import java.time.Clock;
import org.springframework.http.HttpHeaders;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The metrics API over Redis; same Bearer read token as the query API. */
@RestController
public class MetricsController {

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
}
