package dev.trackpipeline.aggregator.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

/** Where the dashboard's page reads the writer, and what its security policy lets it reach. */
class DashboardPropertiesTest {

    @Test
    void thePolicyLetsThePageReadTheWritersOriginAndNoOther() {
        DashboardProperties properties = new DashboardProperties("https://track.example:8443/writer/", 3001);
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/");

        assertThat(properties.writerUrlFor(request)).hasValue("https://track.example:8443/writer");
        assertThat(properties.writerOriginFor(request)).hasValue("https://track.example:8443");
        assertThat(DashboardSecurityHeaders.policy(properties.writerOriginFor(request).orElseThrow()))
                .contains("connect-src 'self' https://track.example:8443;", "script-src 'self';", "frame-ancestors 'none'");
    }

    @Test
    void unsetTheWriterIsOnTheHostThePageWasAskedByNeverTheViewersOwnMachine() {
        DashboardProperties properties = new DashboardProperties(null, 3001);
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/");
        request.setServerName("track.lan");

        assertThat(properties.writerUrlFor(request)).hasValue("http://track.lan:3001");
        request.setServerName("::1");
        assertThat(properties.writerOriginFor(request)).hasValue("http://[::1]:3001");
        request.setServerName("evil.example;script-src");
        assertThat(properties.writerUrlFor(request)).isEmpty();
        assertThat(DashboardSecurityHeaders.policy("")).contains("connect-src 'self';");
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
            assertThatThrownBy(() -> new DashboardProperties(notAUrl, 3001)).as(notAUrl)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("track.dashboard.writer-url (DASHBOARD_WRITER_URL): expected the writer's URL as browsers reach it");
        }
    }
}
