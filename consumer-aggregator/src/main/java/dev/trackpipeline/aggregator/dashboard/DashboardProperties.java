package dev.trackpipeline.aggregator.dashboard;

import dev.trackpipeline.model.urls.HttpUrls;
import java.net.URI;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The dashboard's settings.
 *
 * @param writerUrl where browsers reach the writer's query API (error groups, their occurrences,
 *                  recordings): the page calls it directly, so the page's security policy names its
 *                  origin and the writer lets the page's origin read ({@code WRITER_DASHBOARD_ORIGINS})
 */
@ConfigurationProperties("track.dashboard")
public record DashboardProperties(@DefaultValue("http://127.0.0.1:3001") String writerUrl) {

    public DashboardProperties {
        writerUrl = writerUrl.endsWith("/") ? writerUrl.substring(0, writerUrl.length() - 1) : writerUrl;
        // Repeated in the page's Content-Security-Policy: a space, a semicolon or a quote would add to it.
        if (!HttpUrls.isUrl(writerUrl) || writerUrl.chars().anyMatch(c -> c == ' ' || c == ';' || c == ',' || c == '\'' || c == '"')) {
            throw notAUrl(writerUrl);
        }
    }

    /** The writer's origin, as a Content-Security-Policy source names it. */
    public String writerOrigin() {
        URI uri = URI.create(writerUrl);
        return uri.getScheme() + "://" + uri.getRawAuthority();
    }

    private static IllegalArgumentException notAUrl(String writerUrl) {
        return new IllegalArgumentException("track.dashboard.writer-url (DASHBOARD_WRITER_URL): expected the writer's URL as browsers "
                + "reach it, such as http://127.0.0.1:3001, got \"" + writerUrl + "\"");
    }
}
