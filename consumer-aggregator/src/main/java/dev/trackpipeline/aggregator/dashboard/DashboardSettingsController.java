package dev.trackpipeline.aggregator.dashboard;

import dev.trackpipeline.runtime.ApiResponse;
import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Collections;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * What the dashboard's page learns before its first read: where the writer answers. Nothing secret,
 * and the page's own: left out of the metrics API's description, which is every read a client may
 * make with a read token.
 */
@RestController
@Hidden
class DashboardSettingsController {

    private final DashboardProperties properties;

    DashboardSettingsController(DashboardProperties properties) {
        this.properties = properties;
    }

    @GetMapping("/api/dashboard/settings")
    ApiResponse<Map<String, String>> settings(HttpServletRequest request) {
        return ApiResponse.ok(Collections.singletonMap("writerUrl", properties.writerUrlFor(request).orElse(null)));
    }
}
