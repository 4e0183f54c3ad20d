package dev.trackpipeline.gateway.ingest;

import dev.trackpipeline.model.event.EventValidator;
import dev.trackpipeline.model.ingest.IngestBatchReader;
import dev.trackpipeline.model.ingest.IngestLimits;
import dev.trackpipeline.model.project.ProjectRegistry;
import java.time.Clock;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.CorsRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

@Configuration(proxyBeanMethods = false)
class IngestConfiguration implements WebMvcConfigurer {

    private final ProjectRegistry projects;

    IngestConfiguration(ProjectRegistry projects) {
        this.projects = projects;
    }

    @Bean
    IngestBatchReader ingestBatchReader(EventValidator validator, IngestLimits limits) {
        return new IngestBatchReader(validator, limits);
    }

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    /**
     * A preflight carries no body, so it cannot name its project: it passes for any origin some
     * project allows, and each event's own project decides on the POST itself. Without a correct
     * preflight the SDK's fetch fallback, used for its largest payloads, is silently lost.
     */
    @Override
    public void addCorsMappings(CorsRegistry registry) {
        List<String> origins = projects.all().stream().flatMap(project -> project.allowedOrigins().stream()).distinct().toList();
        registry.addMapping("/reportData")
                .allowedOriginPatterns(origins.toArray(String[]::new))
                .allowedMethods("POST")
                .allowedHeaders("content-type", "content-encoding")
                .maxAge(86_400);
    }
}
