package dev.trackpipeline.aggregator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BoundedTextTest {

    @Test
    void leavesTextOfTheBoundOrShorterAsItIs() {
        String atTheBound = "GET /" + "a".repeat(BoundedText.MAX_LENGTH - 5);

        assertThat(BoundedText.of("GET /api/orders/:id")).isEqualTo("GET /api/orders/:id");
        assertThat(BoundedText.of(atTheBound)).isEqualTo(atTheBound);
    }

    @Test
    void keepsTheBeginningOfLongerTextAndAHashThatTellsApartTextsThatBeginAlike() {
        String common = "GET /api/" + "x".repeat(500);

        String one = BoundedText.of(common + "/one");
        String two = BoundedText.of(common + "/two");

        assertThat(one).hasSize(BoundedText.MAX_LENGTH).startsWith("GET /api/xxx").matches("GET /api/x+…[0-9a-f]{16}");
        assertThat(two).hasSize(BoundedText.MAX_LENGTH).isNotEqualTo(one);
        assertThat(BoundedText.of(common + "/one")).isEqualTo(one);
    }

    @Test
    void neverCutsACharacterOutsideTheBasicPlaneInHalf() {
        String emoji = "\uD83D\uDE00";
        String text = "a".repeat(BoundedText.MAX_LENGTH - 18) + emoji + "b".repeat(300);

        String bounded = BoundedText.of(text);

        assertThat(bounded).hasSize(BoundedText.MAX_LENGTH - 1).doesNotContain(emoji).startsWith("a".repeat(BoundedText.MAX_LENGTH - 18) + "…");
    }
}
