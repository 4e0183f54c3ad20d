package dev.trackpipeline.model.urls;

import java.net.URI;
import java.util.regex.Pattern;

/**
 * URLs reduced to what identifies a page or an endpoint, so that grouping by them stays bounded:
 * no host, no query, and numeric or long-hex path segments (ids) made {@code :id}.
 */
public final class UrlPaths {

    /** Longest page key kept; longer ones are cut, so one client cannot make keys of any size. */
    public static final int MAX_PAGE_LENGTH = 200;

    private static final Pattern ID_SEGMENT = Pattern.compile("/(\\d+|[0-9a-fA-F-]{16,})(?=/|$)");

    private UrlPaths() {
    }

    /** A URL's path without query or fragment, numeric and long-hex segments made {@code :id}. */
    public static String path(String url) {
        String path = withoutQuery(url);
        try {
            URI uri = URI.create(path);
            if (uri.getRawPath() != null && uri.isAbsolute()) {
                path = uri.getRawPath();
            }
        } catch (IllegalArgumentException notAUri) {
            // keep it as sent
        }
        return ID_SEGMENT.matcher(path).replaceAll("/:id");
    }

    /**
     * The page a {@code pageUrl} names: its {@link #path}, and for single-page apps with a hash
     * router ({@code /admin/#/settings}) the route too, normalised the same way.
     */
    public static String page(String pageUrl) {
        String page = path(pageUrl);
        int hash = pageUrl.indexOf('#');
        if (hash >= 0 && pageUrl.startsWith("#/", hash)) {
            page = page + "#" + path(pageUrl.substring(hash + 1));
        }
        if (page.isEmpty()) {
            page = "/";
        }
        return page.length() <= MAX_PAGE_LENGTH ? page : page.substring(0, MAX_PAGE_LENGTH);
    }

    /** The URL up to its query or fragment. */
    public static String withoutQuery(String url) {
        int cut = url.length();
        int query = url.indexOf('?');
        int fragment = url.indexOf('#');
        if (query >= 0) cut = query;
        if (fragment >= 0 && fragment < cut) cut = fragment;
        return url.substring(0, cut);
    }
}
