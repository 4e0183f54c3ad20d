package dev.trackpipeline.model.errors;

import dev.trackpipeline.model.ingest.EventIds;
import dev.trackpipeline.model.urls.UrlPaths;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Groups error events so that the same problem counts as one, whatever varies between its
 * occurrences:
 * <ul>
 *   <li>JavaScript errors and rejections: normalised message + file + line + column;</li>
 *   <li>XHR and fetch failures: method + URL path without query (ids made {@code :id}) + status;</li>
 *   <li>resource failures: the resource URL without query.</li>
 * </ul>
 * Other events are not errors and have no group.
 */
public final class ErrorFingerprints {

    private static final Pattern UUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern HEX = Pattern.compile("\\b(?:0[xX][0-9a-fA-F]+|(?=[0-9a-fA-F]*\\d)[0-9a-fA-F]{8,})\\b");
    private static final Pattern NUMBER = Pattern.compile("\\d+");
    private static final Pattern SPACES = Pattern.compile("\\s+");
    private static final int MAX_TITLE = 120;
    /** Line breaks a title would show as one line. */
    private static final Pattern BREAKS = Pattern.compile("[\\t\\n\\x0B\\f\\r\\p{Zl}\\p{Zp}]");
    /**
     * Characters a title cannot show: controls, format characters (zero-width, bidi overrides) and
     * halves of a surrogate pair. JSON writes a control as a 6-byte escape, so a title of them
     * would make a stored sample twice the size of any visible one (each at most 3 bytes).
     */
    private static final Pattern INVISIBLE = Pattern.compile("[\\p{Cc}\\p{Cf}\\p{Cs}]");

    private ErrorFingerprints() {
    }

    public static Optional<ErrorGroup> of(String type, JsonNode event) {
        return switch (type) {
            case "error", "unhandledrejection" -> Optional.of(jsError(type, event));
            case "xhr", "fetch" -> Optional.of(httpFailure(type, event));
            case "resource" -> Optional.of(resourceFailure(event));
            default -> Optional.empty();
        };
    }

    private static ErrorGroup jsError(String type, JsonNode event) {
        String message = normaliseMessage(text(event, "message"));
        String location = fileOf(text(event, "fileName")) + ":" + text(event, "line") + ":" + text(event, "column");
        return group(type + "\n" + message + "\n" + text(event, "fileName") + ":" + text(event, "line") + ":" + text(event, "column"),
                message + " (" + location + ")");
    }

    private static ErrorGroup httpFailure(String type, JsonNode event) {
        JsonNode request = event.path("requestData");
        String method = text(request, "method").isEmpty() ? "GET" : text(request, "method").toUpperCase(Locale.ROOT);
        String path = UrlPaths.path(text(event, "url"));
        String status = text(event.path("response"), "Status");
        return group(type + "\n" + method + "\n" + path + "\n" + status, method + " " + path + " → " + (status.isEmpty() ? "?" : status));
    }

    private static ErrorGroup resourceFailure(JsonNode event) {
        // The SDK reports "<url>; 资源加载失败" ("resource failed to load").
        String message = text(event, "message");
        int separator = message.indexOf(';');
        String url = UrlPaths.withoutQuery(separator < 0 ? message : message.substring(0, separator)).trim();
        String element = text(event, "name");
        return group("resource\n" + url, (element.isEmpty() ? "" : element + " ") + url);
    }

    static String normaliseMessage(String message) {
        String normalised = UUID.matcher(message).replaceAll("<uuid>");
        normalised = HEX.matcher(normalised).replaceAll("<hex>");
        normalised = NUMBER.matcher(normalised).replaceAll("<n>");
        return SPACES.matcher(normalised).replaceAll(" ").trim();
    }

    private static String fileOf(String url) {
        String path = UrlPaths.withoutQuery(url);
        int slash = path.lastIndexOf('/');
        return slash >= 0 && slash < path.length() - 1 ? path.substring(slash + 1) : path;
    }

    /**
     * The title is for people and is stored with every group's sample, so what it cannot show
     * becomes a space or U+FFFD, and it is cut between characters, never inside a surrogate
     * pair; the fingerprint is of what was sent.
     */
    private static ErrorGroup group(String identity, String title) {
        String visible = INVISIBLE.matcher(BREAKS.matcher(title).replaceAll(" ")).replaceAll("\uFFFD");
        String shortTitle = visible;
        if (visible.length() > MAX_TITLE) {
            int end = MAX_TITLE - 1;
            shortTitle = visible.substring(0, Character.isHighSurrogate(visible.charAt(end - 1)) ? end - 1 : end) + "…";
        }
        return new ErrorGroup(EventIds.fromContent(identity.getBytes(StandardCharsets.UTF_8)), shortTitle);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull() || value.isMissingNode()) {
            return "";
        }
        return value.isString() ? value.stringValue() : value.toString();
    }
}
