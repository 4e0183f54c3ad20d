package dev.trackpipeline.writer.dashboard;

import dev.trackpipeline.model.urls.HttpUrls;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where the dashboard is served from (the aggregator's page): it reads a project's error groups,
 * occurrences and recordings here, from another origin, with the project's read token. Only these
 * origins may; the token is still asked of every read.
 *
 * @param origins each {@code scheme://host[:port]}, as a browser names the page's origin
 */
@ConfigurationProperties("track.writer.dashboard")
public record DashboardOrigins(@DefaultValue({"http://127.0.0.1:3002", "http://localhost:3002"}) List<String> origins) {

    public DashboardOrigins {
        origins = List.copyOf(origins);
        origins.forEach(DashboardOrigins::requireOrigin);
    }

    private static void requireOrigin(String origin) {
        if (!HttpUrls.isOrigin(origin)) {
            throw notAnOrigin(origin);
        }
    }

    private static IllegalArgumentException notAnOrigin(String origin) {
        return new IllegalArgumentException("track.writer.dashboard.origins (WRITER_DASHBOARD_ORIGINS): expected origins such as "
                + "http://127.0.0.1:3002 (scheme, host and port, no path), got \"" + origin + "\"");
    }
}
