package dev.trackpipeline.aggregator.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Where the dashboard's page reads the writer, and what its security policy lets it reach. */
class DashboardPropertiesTest {

    @Test
    void thePolicyLetsThePageReadTheWritersOriginAndNoOther() {
        DashboardProperties properties = new DashboardProperties("https://track.example:8443/writer/");

        assertThat(properties.writerUrl()).isEqualTo("https://track.example:8443/writer");
        assertThat(properties.writerOrigin()).isEqualTo("https://track.example:8443");
        assertThat(DashboardSecurityHeaders.policy(properties.writerOrigin()))
                .contains("connect-src 'self' https://track.example:8443;", "script-src 'self';", "frame-ancestors 'none'");
    }

    @Test
    void thePlayersPolicyFetchesNothingRecorded() {
        assertThat(DashboardSecurityHeaders.REPLAY_POLICY).contains("default-src 'none'", "img-src data:", "script-src 'self';")
                .doesNotContain("connect-src", "unsafe-eval");
    }

    @Test
    void refusesWhatIsNotAWebUrlOrWouldBreakThePolicy() {
        for (String notAUrl : List.of("127.0.0.1:3001", "ftp://track.example", "http://", "http://track.example?x=1",
                "http://track.example; script-src *", "http://a.example 'unsafe-inline'", "https://user@track.example")) {
            assertThatThrownBy(() -> new DashboardProperties(notAUrl)).as(notAUrl)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("track.dashboard.writer-url (DASHBOARD_WRITER_URL): expected the writer's URL as browsers reach it");
        }
    }
}
