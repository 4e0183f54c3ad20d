package dev.trackpipeline.aggregator.dashboard;

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
        URI uri;
        try {
            uri = URI.create(writerUrl);
        } catch (IllegalArgumentException e) {
            throw notAUrl(writerUrl);
        }
        boolean web = "http".equals(uri.getScheme()) || "https".equals(uri.getScheme());
        if (!web || uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null
                || writerUrl.chars().anyMatch(c -> c == ' ' || c == ';' || c == ',' || c == '\'' || c == '"')) {
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
