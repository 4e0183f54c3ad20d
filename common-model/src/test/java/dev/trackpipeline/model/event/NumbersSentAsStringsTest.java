package dev.trackpipeline.model.event;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Some SDK builds send numbers as strings; the pipeline takes them, and what it stores and counts
 * is the number, so that time windows, sorting and aggregations see numbers only.
 */
class NumbersSentAsStringsTest {

    final JsonMapper json = JsonMapper.builder().build();
    final EventValidator validator = new EventValidator(new EventFamilies());

    @Test
    void validationTurnsEveryNumericFieldSentAsAStringIntoItsNumber() {
        JsonNode event = json.readTree("""
                {"type":"error","apikey":"p","uuid":"s","time":" 1795642106952","message":"boom","line":"4","column":"38.0",
                 "breadcrumb":[{"type":"Click","time":"1795642106000"}]}""");

        assertThat(validator.validate(event)).isInstanceOf(EventValidator.Verdict.Valid.class);

        assertThat(event.get("time").isLong()).isTrue();
        assertThat(event.get("time").longValue()).isEqualTo(1795642106952L);
        assertThat(event.get("line").isInt()).isTrue();
        assertThat(event.get("line").intValue()).isEqualTo(4);
        assertThat(event.get("column").isDouble()).isTrue();
        assertThat(event.get("column").doubleValue()).isEqualTo(38.0);
        assertThat(event.get("breadcrumb").get(0).get("time").longValue()).isEqualTo(1795642106000L);
    }

    @Test
    void leavesStringsThatAreStringsAndNumbersThatAreNumbersAlone() {
        JsonNode event = json.readTree("""
                {"type":"performance","apikey":"p","uuid":"s","time":1795642106952,"name":"LCP","value":"2500.25",
                 "userId":"1234","message":"42"}""");

        assertThat(validator.validate(event)).isInstanceOf(EventValidator.Verdict.Valid.class);

        assertThat(event.get("time").isLong()).isTrue();
        assertThat(event.get("value").doubleValue()).isEqualTo(2500.25);
        assertThat(event.get("userId").isString()).as("a user id may be a string or a number").isTrue();
        assertThat(event.get("message").isString()).as("an unknown field is kept as sent").isTrue();
    }

    @Test
    void refusesAStringThatHoldsNoFiniteNumberAndLeavesItAsItWas() {
        JsonNode event = json.readTree("""
                {"type":"error","apikey":"p","uuid":"s","time":"NaN","message":"boom","line":"Infinity"}""");

        var verdict = validator.validate(event);

        assertThat(verdict).isInstanceOfSatisfying(EventValidator.Verdict.Invalid.class, invalid -> assertThat(invalid.reason())
                .isEqualTo("time: expected a positive integer of epoch milliseconds, got \"NaN\"; line: expected an integer, got \"Infinity\""));
        assertThat(event.get("time").stringValue()).isEqualTo("NaN");
    }
}
