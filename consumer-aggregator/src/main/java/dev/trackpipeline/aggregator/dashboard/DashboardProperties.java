package dev.trackpipeline.aggregator.dashboard;

import dev.trackpipeline.model.urls.HttpUrls;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where the dashboard's page reads the writer's query API (error groups, their occurrences,
 * recordings). The page calls it directly, so the page's security policy names its origin, and the
 * writer must let the page's origin read it ({@code WRITER_DASHBOARD_ORIGINS}).
 *
 * @param writerUrl  the writer's URL as browsers reach it; when unset, the host the page itself was
 *                   asked by, on {@code writerPort}: a dashboard opened as http://server:3002 reads
 *                   http://server:3001, never the viewer's own machine
 * @param writerPort the writer's port when {@code writerUrl} is unset
 */
@ConfigurationProperties("track.dashboard")
public record DashboardProperties(String writerUrl, @DefaultValue("3001") int writerPort) {

    public DashboardProperties {
        writerUrl = writerUrl == null || writerUrl.isBlank() ? null
                : writerUrl.endsWith("/") ? writerUrl.substring(0, writerUrl.length() - 1) : writerUrl;
        if (writerUrl != null && !fitsAPolicy(writerUrl)) {
            throw new IllegalArgumentException("track.dashboard.writer-url (DASHBOARD_WRITER_URL): expected the writer's URL as browsers "
                    + "reach it, such as http://127.0.0.1:3001, got \"" + writerUrl + "\"");
        }
    }

    /** The writer's URL for a page asked for by {@code request}: the one set, or the page's host on the writer's port. */
    public Optional<String> writerUrlFor(HttpServletRequest request) {
        if (writerUrl != null) {
            return Optional.of(writerUrl);
        }
        try {
            String derived = new URI(request.getScheme(), null, request.getServerName(), writerPort, null, null, null).toString();
            return fitsAPolicy(derived) ? Optional.of(derived) : Optional.empty();
        } catch (URISyntaxException notAHost) {
            return Optional.empty();
        }
    }

    /** The writer's origin, as a Content-Security-Policy source names it. */
    public Optional<String> writerOriginFor(HttpServletRequest request) {
        return writerUrlFor(request).map(URI::create).map(uri -> uri.getScheme() + "://" + uri.getRawAuthority());
    }

    // Repeated in the page's Content-Security-Policy: a space, a semicolon or a quote would add to it.
    private static boolean fitsAPolicy(String url) {
        return HttpUrls.isUrl(url) && url.chars().noneMatch(c -> c == ' ' || c == ';' || c == ',' || c == '\'' || c == '"');
    }
}
