package dev.trackpipeline.gateway.ingest;

import dev.trackpipeline.runtime.ProjectCatalog;
import java.util.List;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.filter.CorsFilter;

/**
 * CORS for {@code /reportData} from the project registry as it is now (it reloads). A preflight
 * carries no body and so cannot name its project: it passes for any origin some project allows,
 * and each event's own project decides on the POST, by the same rule ({@code Project.allowsOrigin})
 * so that no preflight passes for an origin whose events would all be refused. A wrong preflight
 * would silently lose the SDK's fetch fallback, which carries its largest payloads. Origins no
 * project allows are refused.
 */
@Configuration(proxyBeanMethods = false)
class ReportDataCors {

    @Bean
    FilterRegistrationBean<CorsFilter> reportDataCorsFilter(ProjectCatalog projects) {
        CorsConfiguration configuration = new CorsConfiguration() {
            @Override
            public String checkOrigin(String origin) {
                return origin != null && projects.current().all().stream().anyMatch(project -> project.allowsOrigin(origin)) ? origin : null;
            }
        };
        configuration.setAllowedMethods(List.of("POST"));
        configuration.setAllowedHeaders(List.of("content-type", "content-encoding"));
        configuration.setMaxAge(86_400L);
        FilterRegistrationBean<CorsFilter> registration = new FilterRegistrationBean<>(new CorsFilter(request -> configuration));
        registration.addUrlPatterns("/reportData");
        return registration;
    }
}
