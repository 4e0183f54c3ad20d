package dev.trackpipeline.writer.query;

import com.mongodb.client.model.Filters;
import dev.trackpipeline.runtime.ApiException;
import org.bson.conversions.Bson;
import org.springframework.http.HttpStatus;

/**
 * "The errors of this page": a page is reported with its query and fragment
 * ({@code /shop/products?page=1#/cart}), so a reader names it by the start of its URL. The prefix
 * becomes an anchored regular expression of literal characters only: whatever a reader types, it
 * matches as text and costs one pass over each URL.
 */
final class PageUrlPrefix {

    /** Longer than any page address a reader types, short enough that matching stays cheap. */
    static final int MAX_LENGTH = 2048;

    private PageUrlPrefix() {
    }

    static Bson condition(String prefix) {
        if (prefix.length() > MAX_LENGTH) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "pageUrlPrefix: at most " + MAX_LENGTH + " characters, got " + prefix.length());
        }
        if (prefix.chars().anyMatch(Character::isISOControl)) {
            // A BSON pattern cannot hold NUL, and no page address a reader types holds control characters.
            throw new ApiException(HttpStatus.BAD_REQUEST, "pageUrlPrefix: control characters are not part of a page address");
        }
        return Filters.regex("pageUrl", "^" + literal(prefix));
    }

    /** Every character that is not a letter or a digit escaped: both MongoDB's PCRE and Java's patterns read "\x" as x then. */
    static String literal(String text) {
        StringBuilder pattern = new StringBuilder(text.length() * 2);
        text.codePoints().forEach(c -> {
            if (!Character.isLetterOrDigit(c) && c < 128) pattern.append('\\');
            pattern.appendCodePoint(c);
        });
        return pattern.toString();
    }
}
