package dev.trackpipeline.aggregator.dashboard;

import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.runtime.ApiResponse;
import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * What the dashboard's page learns before its first read: where the writer answers, and which
 * types of events are errors (to filter the recent errors by). Nothing secret,
 * and the page's own: left out of the metrics API's description, which is every read a client may
 * make with a read token.
 */
@RestController
@Hidden
class DashboardSettingsController {

    private final DashboardProperties properties;
    private final EventFamilies families;

    DashboardSettingsController(DashboardProperties properties, EventFamilies families) {
        this.properties = properties;
        this.families = families;
    }

    @GetMapping("/api/dashboard/settings")
    ApiResponse<Settings> settings(HttpServletRequest request) {
        return ApiResponse.ok(new Settings(properties.writerUrlFor(request).orElse(null), families.errorTypes()));
    }

    /** The writer's address as this page reaches it (null when unknown), and the error types in the pipeline's order. */
    record Settings(String writerUrl, List<String> errorTypes) {
    }
}
