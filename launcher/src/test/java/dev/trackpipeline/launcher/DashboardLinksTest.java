package dev.trackpipeline.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** bin/track local tells the aggregator where the writer is and the writer where the dashboard is, unless the user did. */
class DashboardLinksTest {

    static final ServicePorts PORTS = new ServicePorts(Map.of(Service.GATEWAY, new ServicePorts.Ports(4000, 4010),
            Service.WRITER, new ServicePorts.Ports(4001, 4011), Service.AGGREGATOR, new ServicePorts.Ports(4002, 4012)));

    @Test
    void linksTheDashboardAndTheWriterByTheirPorts() {
        assertThat(LocalPipeline.dashboardLinks(Service.AGGREGATOR, PORTS, Map.of()))
                .containsExactly(Map.entry("DASHBOARD_WRITER_URL", "http://127.0.0.1:4001"));
        assertThat(LocalPipeline.dashboardLinks(Service.WRITER, PORTS, Map.of()))
                .containsExactly(Map.entry("WRITER_DASHBOARD_ORIGINS", "http://127.0.0.1:4002,http://localhost:4002"));
        assertThat(LocalPipeline.dashboardLinks(Service.GATEWAY, PORTS, Map.of())).isEmpty();
    }

    @Test
    void leavesWhatTheUserSetAlone() {
        Map<String, String> users = Map.of("DASHBOARD_WRITER_URL", "http://box.lan:4001", "WRITER_DASHBOARD_ORIGINS", "http://box.lan:4002");

        assertThat(LocalPipeline.dashboardLinks(Service.AGGREGATOR, PORTS, users)).isEmpty();
        assertThat(LocalPipeline.dashboardLinks(Service.WRITER, PORTS, users)).isEmpty();
    }
}
