package dev.trackpipeline.writer.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The origins the dashboard may read the query API from are origins, or the writer does not start. */
class DashboardOriginsTest {

    @Test
    void takesOriginsWithOrWithoutAPort() {
        assertThat(new DashboardOrigins(List.of("http://127.0.0.1:3002", "https://track.example")).origins())
                .containsExactly("http://127.0.0.1:3002", "https://track.example");
    }

    @Test
    void refusesWhatIsNotAnOriginNamingTheSettingAndTheValue() {
        for (String notAnOrigin : List.of("*", "127.0.0.1:3002", "http://127.0.0.1:3002/dashboard", "ftp://track.example",
                "https://user@track.example", "http://track.example?x=1", "http://", "http://exa mple")) {
            assertThatThrownBy(() -> new DashboardOrigins(List.of(notAnOrigin))).as(notAnOrigin)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("track.writer.dashboard.origins (WRITER_DASHBOARD_ORIGINS): expected origins such as "
                            + "http://127.0.0.1:3002 (scheme, host and port, no path), got \"" + notAnOrigin + "\"");
        }
    }
}
