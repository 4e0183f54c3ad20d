package dev.trackpipeline.model.event;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class EventNumbersTest {

    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void readsNumbersAndNumbersSentAsStrings() {
        assertThat(EventNumbers.of(json.readTree("1200")).getAsDouble()).isEqualTo(1200);
        assertThat(EventNumbers.of(json.readTree("\" 0.25 \"")).getAsDouble()).isEqualTo(0.25);
    }

    @Test
    void refusesWhatIsNoFiniteNumber() {
        assertThat(EventNumbers.of(json.readTree("\"NaN\""))).isEmpty();
        assertThat(EventNumbers.of(json.readTree("\"fast\""))).isEmpty();
        assertThat(EventNumbers.of(json.readTree("1e400"))).isEmpty();
        assertThat(EventNumbers.of(json.readTree("true"))).isEmpty();
        assertThat(EventNumbers.of(null)).isEmpty();
    }
}
