package dev.trackpipeline.model.kafka;

import java.util.Set;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamContext;
import tools.jackson.core.util.JsonParserDelegate;

/**
 * Reads an event without decoding the top-level strings a consumer never looks at: a session
 * replay chunk's {@code events} is half the bytes of the SDK's traffic, and the aggregator only
 * counts the chunk. The tree gets {@link #UNREAD} in their place, and the parser skips the
 * string, which still checks that it is well-formed JSON.
 *
 * <p>Validation must come to the same verdict as with the content: a consumer that accepts what
 * another dead-letters would make counts and documents disagree. The one rule on these fields is
 * "a string, not blank"; a string whose first byte is a visible ASCII character is not blank, so
 * only such strings are skipped. Any other (empty, leading whitespace, an escape, non-ASCII) is
 * decoded as usual.
 */
final class UnreadStringsParser extends JsonParserDelegate {

    /** What the tree holds instead of a skipped string. */
    static final String UNREAD = "(not read by this consumer)";

    private final byte[] json;
    private final Set<String> unreadFields;

    UnreadStringsParser(JsonParser parser, byte[] json, Set<String> unreadFields) {
        super(parser);
        this.json = json;
        this.unreadFields = unreadFields;
    }

    @Override
    public String getString() {
        if (currentToken() == JsonToken.VALUE_STRING && isUnreadTopLevelField() && startsVisibly()) {
            return UNREAD;
        }
        return super.getString();
    }

    private boolean isUnreadTopLevelField() {
        TokenStreamContext context = streamReadContext();
        return context.inObject() && context.getParent() != null && context.getParent().inRoot()
                && unreadFields.contains(context.currentName());
    }

    /** Whether the string token's first character is one that {@link String#isBlank()} cannot ignore. */
    private boolean startsVisibly() {
        long quote = currentTokenLocation().getByteOffset();
        if (quote < 0 || quote + 1 >= json.length || json[(int) quote] != '"') {
            return false;
        }
        byte first = json[(int) quote + 1];
        return first > ' ' && first < 0x7f && first != '"' && first != '\\';
    }
}
