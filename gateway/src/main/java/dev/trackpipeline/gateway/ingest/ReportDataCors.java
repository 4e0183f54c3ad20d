package dev.trackpipeline.gateway.ingest;

import dev.trackpipeline.model.project.ProjectRegistry;
import dev.trackpipeline.runtime.ProjectCatalog;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.filter.CorsFilter;

/**
 * CORS for {@code /reportData} from the project registry as it is now (it reloads). A preflight
 * carries no body and so cannot name its project: it passes for any origin some project allows,
 * and each event's own project decides on the POST. A wrong preflight would silently lose the
 * SDK's fetch fallback, which carries its largest payloads. Origins no project allows are refused.
 */
@Configuration(proxyBeanMethods = false)
class ReportDataCors {

    @Bean
    FilterRegistrationBean<CorsFilter> reportDataCorsFilter(ProjectCatalog projects) {
        AtomicReference<Built> cache = new AtomicReference<>(new Built(null, null));
        CorsFilter filter = new CorsFilter(request -> cache.updateAndGet(built ->
                built.registry() == projects.current() ? built : build(projects.current())).configuration());
        FilterRegistrationBean<CorsFilter> registration = new FilterRegistrationBean<>(filter);
        registration.addUrlPatterns("/reportData");
        return registration;
    }

    private record Built(ProjectRegistry registry, CorsConfiguration configuration) {
    }

    private static Built build(ProjectRegistry registry) {
        List<String> origins = registry.all().stream().flatMap(project -> project.allowedOrigins().stream()).distinct().toList();
        CorsConfiguration configuration = new CorsConfiguration();
        configuration.setAllowedOriginPatterns(origins);
        configuration.setAllowedMethods(List.of("POST"));
        configuration.setAllowedHeaders(List.of("content-type", "content-encoding"));
        configuration.setMaxAge(86_400L);
        return new Built(registry, configuration);
    }
}
