package dev.trackpipeline.model.project;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The browser origins a project accepts events from: {@code "*"} for any, an exact origin
 * ({@code https://shop.example}, {@code http://127.0.0.1:8080}), or every subdomain of one
 * ({@code https://*.shop.example}), or {@code "null"} (sandboxed frames, {@code file://} pages). The gateway's CORS preflight and its check of each event ask
 * this same question, so a preflight never passes for an origin whose events are then refused.
 * An entry that is no origin (a path, a trailing slash, no scheme) is refused when the projects
 * file is read, rather than silently never matching.
 */
public final class AllowedOrigins {

    /** Any scheme (apps send {@code capacitor://localhost}, extensions {@code chrome-extension://<id>}), a host, a port. */
    private static final Pattern ORIGIN = Pattern.compile(
            "([a-z][a-z0-9+.-]*)://(\\*\\.)?([a-z0-9_~%!$&'()+,;=-]+(\\.[a-z0-9_~%!$&'()+,;=-]+)*|\\[[0-9a-f:.]+\\])(:[0-9]{1,5})?");

    private final List<String> entries;
    private final Predicate<String> allows;

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public AllowedOrigins(List<String> entries) {
        this.entries = entries == null ? List.of() : List.copyOf(entries);
        Predicate<String> allows = origin -> false;
        for (String entry : this.entries) {
            allows = allows.or(matcher(entry));
        }
        this.allows = allows;
    }

    @JsonValue
    public List<String> entries() {
        return entries;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof AllowedOrigins origins && origins.entries.equals(entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        return entries.toString();
    }

    public boolean allows(String origin) {
        return origin != null && allows.test(withoutDefaultPort(origin.toLowerCase(Locale.ROOT)));
    }

    /** A test of an origin already lower-cased and without its default port. */
    private static Predicate<String> matcher(String entry) {
        if ("*".equals(entry)) {
            return origin -> true;
        }
        if ("null".equals(entry)) {
            // What a sandboxed frame or a file:// page sends as its origin.
            return "null"::equals;
        }
        String pattern = entry == null ? "" : entry.toLowerCase(Locale.ROOT);
        var parts = ORIGIN.matcher(pattern);
        if (!parts.matches()) {
            throw new IllegalArgumentException("allowedOrigins: \"" + entry + "\" is not an origin: expected scheme://host[:port] "
                    + "without a path or a trailing slash (https://shop.example), every subdomain (https://*.shop.example), \"null\" or \"*\"");
        }
        if (parts.group(2) == null) {
            return withoutDefaultPort(pattern)::equals;
        }
        String scheme = parts.group(1);
        String suffix = "." + parts.group(3) + (parts.group(5) == null ? "" : parts.group(5));
        return origin -> origin.startsWith(scheme + "://") && origin.endsWith(suffix)
                && origin.length() > scheme.length() + 3 + suffix.length() && ORIGIN.matcher(origin).matches();
    }

    /** {@code https://a:443} and {@code https://a} are one origin; browsers send the latter. */
    private static String withoutDefaultPort(String origin) {
        try {
            URI uri = URI.create(origin);
            if ((uri.getPort() == 443 && "https".equals(uri.getScheme())) || (uri.getPort() == 80 && "http".equals(uri.getScheme()))) {
                return uri.getScheme() + "://" + uri.getHost();
            }
        } catch (IllegalArgumentException notAUri) {
            return origin;
        }
        return origin;
    }
}
