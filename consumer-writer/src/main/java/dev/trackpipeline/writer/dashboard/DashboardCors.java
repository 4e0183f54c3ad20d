package dev.trackpipeline.writer.dashboard;

import java.time.Duration;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.CorsRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Lets the dashboard's origins read the query API from the browser: GET with an Authorization
 * header, nothing else. No cookies are involved (the read token is a header the page sets), so
 * credentials stay off; a page of any other origin gets no CORS headers and its browser keeps the
 * answer from it.
 */
@Configuration
class DashboardCors implements WebMvcConfigurer {

    private final DashboardOrigins dashboard;

    DashboardCors(DashboardOrigins dashboard) {
        this.dashboard = dashboard;
    }

    @Override
    public void addCorsMappings(CorsRegistry registry) {
        registry.addMapping("/api/**")
                .allowedOrigins(dashboard.origins().toArray(String[]::new))
                .allowedMethods("GET")
                .allowedHeaders("Authorization")
                .allowCredentials(false)
                .maxAge(Duration.ofMinutes(10).toSeconds());
    }
}
