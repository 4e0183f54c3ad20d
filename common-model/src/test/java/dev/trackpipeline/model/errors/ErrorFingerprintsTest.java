package dev.trackpipeline.model.errors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.model.fixtures.WebSeeFixtures;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class ErrorFingerprintsTest {

    private final WebSeeFixtures fixtures = WebSeeFixtures.load();
    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void groupsTheRealSdksErrorsIntoReadableTitles() {
        Map<String, String> titles = new HashMap<>();
        fixtures.posts().forEach(request -> ErrorFingerprints.of(request.type(), request.event())
                .ifPresent(group -> titles.put(group.fingerprint(), group.title())));

        assertThat(titles.values()).contains(
                "Uncaught Error: Order list render failed: items is empty (app.js:4:38)",
                "GET /api/orders/:id → 404",
                "POST /api/checkout → 500",
                "img http://127.0.0.1:8080/assets/img/banner-missing.png");
        assertThat(titles.keySet()).allMatch(fingerprint -> fingerprint.matches("[0-9a-f]{32}"));
    }

    @Test
    void putsOccurrencesThatDifferOnlyInIdsAndNumbersInOneGroup() {
        ObjectNode first = (ObjectNode) fixtures.first("xhr").event();
        ObjectNode second = first.deepCopy();
        second.put("url", "/api/orders/123?expand=items");
        second.put("time", first.get("time").longValue() + 5000);
        ObjectNode error = (ObjectNode) fixtures.first("error").event();
        ObjectNode sameErrorOtherId = error.deepCopy();
        sameErrorOtherId.put("message", error.get("message").stringValue() + " for order 77");
        ObjectNode sameErrorOtherNumber = error.deepCopy();
        sameErrorOtherNumber.put("message", error.get("message").stringValue() + " for order 91");

        assertThat(fingerprint("xhr", first)).isEqualTo(fingerprint("xhr", second));
        assertThat(fingerprint("error", sameErrorOtherId)).isEqualTo(fingerprint("error", sameErrorOtherNumber));
    }

    @Test
    void groupsAFailingRequestAlikeWhateverTheMachinesLocale() {
        ObjectNode link = (ObjectNode) fixtures.first("xhr").event();
        ((ObjectNode) link.get("requestData")).put("method", "link");
        String underRoot = fingerprint("xhr", link);
        java.util.Locale before = java.util.Locale.getDefault();
        try {
            java.util.Locale.setDefault(java.util.Locale.forLanguageTag("tr")); // where "link" upper-cases to "LİNK"
            assertThat(fingerprint("xhr", link)).isEqualTo(underRoot);
        } finally {
            java.util.Locale.setDefault(before);
        }
    }

    @Test
    void keepsDifferentProblemsApart() {
        ObjectNode notFound = (ObjectNode) fixtures.first("xhr").event();
        ObjectNode serverError = notFound.deepCopy();
        ((ObjectNode) serverError.get("response")).put("Status", 500);
        ObjectNode error = (ObjectNode) fixtures.first("error").event();
        ObjectNode otherLine = error.deepCopy();
        otherLine.put("line", 5);

        assertThat(fingerprint("xhr", notFound)).isNotEqualTo(fingerprint("xhr", serverError));
        assertThat(fingerprint("error", error)).isNotEqualTo(fingerprint("error", otherLine));
        assertThat(fingerprint("error", error)).isNotEqualTo(fingerprint("unhandledrejection", error));
    }

    @Test
    void givesNoGroupToEventsThatAreNotErrors() {
        assertThat(ErrorFingerprints.of("performance", fixtures.first("performance").event())).isEmpty();
        assertThat(ErrorFingerprints.of("whiteScreen", fixtures.first("whiteScreen").event())).isEmpty();
    }

    @Test
    void normalisesVaryingPartsOfMessages() {
        assertThat(ErrorFingerprints.normaliseMessage("Order 12 of  user 3f2a9c1e-0000-4000-8000-00000000abcd failed 0xdeadbeef99"))
                .isEqualTo("Order <n> of user <uuid> failed <hex>");
    }

    /**
     * A title is read by people and stored with its group's sample, where JSON writes a control as
     * a 6-byte escape: a break shows as a space, what cannot be shown (controls, format characters,
     * half a surrogate pair) as U+FFFD, and the fingerprint still tells apart what was sent.
     */
    @Test
    void showsInATitleABreakAsASpaceAndWhatCannotBeShownAsAReplacementCharacter() {
        ObjectNode error = (ObjectNode) fixtures.first("error").event();
        ObjectNode invisible = error.deepCopy().put("message", "a\u0001\u200Eb\u2028c\uD800d");
        ObjectNode otherInvisible = error.deepCopy().put("message", "a\u0002\u200Eb\u2028c\uD800d");

        assertThat(title("error", invisible)).startsWith("a\uFFFD\uFFFDb c\uFFFDd (");
        assertThat(title("error", otherInvisible)).isEqualTo(title("error", invisible));
        assertThat(fingerprint("error", otherInvisible)).isNotEqualTo(fingerprint("error", invisible));
    }

    /** A long title is cut between characters, so a character outside the BMP is never halved into one that cannot be stored. */
    @Test
    void cutsALongTitleBetweenCharactersNeverInsideASurrogatePair() {
        ObjectNode error = ((ObjectNode) fixtures.first("error").event()).deepCopy().put("message", "\uD83D\uDE00".repeat(100));

        String title = title("error", error);

        assertThat(title).endsWith("…").hasSizeLessThanOrEqualTo(120);
        assertThat(title.codePoints()).noneMatch(codePoint -> Character.getType(codePoint) == Character.SURROGATE);
    }

    private String title(String type, JsonNode event) {
        return ErrorFingerprints.of(type, json.readTree(event.toString())).orElseThrow().title();
    }

    private String fingerprint(String type, JsonNode event) {
        return ErrorFingerprints.of(type, json.readTree(event.toString())).orElseThrow().fingerprint();
    }
}
