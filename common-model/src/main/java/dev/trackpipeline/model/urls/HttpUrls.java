package dev.trackpipeline.model.urls;

import java.net.URI;

/**
 * What the services' settings accept as a browser-facing address: http or https, a host, no user
 * and no query or fragment. Settings that a Content-Security-Policy or a CORS answer repeats must
 * hold nothing else, or they would widen what they name.
 */
public final class HttpUrls {

    private HttpUrls() {
    }

    /** An http(s) URL with a host, perhaps a port and a path, nothing more. */
    public static boolean isUrl(String text) {
        return isUrl(parse(text));
    }

    /** An http(s) origin as browsers name it: scheme, host, perhaps a port; no path. */
    public static boolean isOrigin(String text) {
        URI uri = parse(text);
        return isUrl(uri) && uri.getRawPath().isEmpty();
    }

    private static boolean isUrl(URI uri) {
        return uri != null && ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
                && uri.getRawUserInfo() == null && uri.getRawQuery() == null && uri.getRawFragment() == null;
    }

    private static URI parse(String text) {
        try {
            return text == null ? null : new URI(text);
        } catch (java.net.URISyntaxException notAUri) {
            return null;
        }
    }
}
