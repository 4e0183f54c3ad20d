package dev.trackpipeline.aggregator;

import dev.trackpipeline.model.fixtures.WebSeeFixtures.CapturedRequest;
import java.util.Random;

/**
 * Events anyone holding a project's public apikey can send, each with text no other event has:
 * in turn a web vital on a page never seen before, a JavaScript error with a message never seen
 * before, and a failing request to a path never seen before (by a method never seen before, every
 * other time). Two texts in a hundred are 2,000 characters long. Texts are made of the letters g to z, so that no normalisation (numbers and
 * hex made placeholders) can fold two of them into one.
 */
final class JunkEvents {

    static final int LONG_TEXT = 2_000;

    private final String apikey;
    private final Random random = new Random(18);
    private int made;

    JunkEvents(String apikey) {
        this.apikey = apikey;
    }

    /** The next junk event as the SDK would post it. */
    CapturedRequest next() {
        int index = made++;
        String text = text(index);
        String common = "\"apikey\":\"" + apikey + "\",\"uuid\":\"junk-session-" + (index % 50) + "\",\"time\":1795642100000";
        String body = switch (index % 3) {
            case 0 -> "{\"type\":\"performance\",\"name\":\"LCP\",\"value\":" + (100 + random.nextInt(9_000)) + ",\"rating\":\"good\","
                    + "\"pageUrl\":\"https://junk.test/" + text + "?q=1\"," + common + "}";
            case 1 -> "{\"type\":\"error\",\"status\":\"error\",\"message\":\"Uncaught Error: " + text + "\","
                    + "\"fileName\":\"https://junk.test/app.js\",\"line\":1,\"column\":1,\"pageUrl\":\"https://junk.test/\"," + common + "}";
            default -> "{\"type\":\"xhr\",\"status\":\"error\",\"url\":\"/api/" + text + "\",\"elapsedTime\":5,"
                    + "\"requestData\":{\"httpType\":\"xhr\",\"method\":\"" + (index % 2 == 0 ? "GET" : "P" + text) + "\",\"data\":\"\"},"
                    + "\"response\":{\"Status\":500},\"pageUrl\":\"https://junk.test/\"," + common + "}";
        };
        return new CapturedRequest("POST", "/reportData", "application/json", null, body);
    }

    private String text(int index) {
        int length = index % 100 >= 98 ? LONG_TEXT : 12 + random.nextInt(40);
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append((char) ('g' + random.nextInt(20)));
        }
        return text.toString();
    }
}
