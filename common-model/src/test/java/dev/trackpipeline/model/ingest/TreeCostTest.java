package dev.trackpipeline.model.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.model.fixtures.WebSeeFixtures;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JsonToken;
import tools.jackson.core.json.JsonFactory;

class TreeCostTest {

    @Test
    void boundsATreeByItsValuesAndItsBytes() {
        assertThat(TreeCost.of(1_000, 10)).isEqualTo(10 * 200 + 2_000);
    }

    /** The scan may only overcount (commas inside strings): it must never promise less than the parser counts. */
    @Test
    void theScanOfTheBytesNeverCountsFewerValuesThanTheParserOnTheRealSdksEvents() {
        for (WebSeeFixtures.CapturedRequest request : WebSeeFixtures.load().posts()) {
            byte[] json = request.bodyBytes();
            assertThat(TreeCost.ofJson(json)).as(request.body().substring(0, 40)).isGreaterThanOrEqualTo(TreeCost.of(json.length, values(json)));
        }
        byte[] hostile = "{\"x\":[{},{},[],[[]],{\"a\":{}},\"a,b\"]}".getBytes(StandardCharsets.UTF_8);
        assertThat(TreeCost.ofJson(hostile)).isGreaterThanOrEqualTo(TreeCost.of(hostile.length, values(hostile)));
    }

    private static long values(byte[] json) {
        long values = 0;
        try (var parser = JsonFactory.builder().build().createParser(tools.jackson.core.ObjectReadContext.empty(), json)) {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (!token.isStructEnd() && token != JsonToken.PROPERTY_NAME) {
                    values++;
                }
            }
        }
        return values;
    }
}
