package dev.trackpipeline.gateway.ingest;

import dev.trackpipeline.model.ingest.Rejection;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * The per-address request limit ({@link RequestsPerClient}) for every request that carries a body,
 * whatever its path, method or origin, before any other filter or the dispatcher. Checked in
 * {@code /reportData}'s controller, it missed the posts answered before it: refused by the CORS
 * filter (403), or sent to a path or with a method nothing answers (404, 405), whose bodies Tomcat
 * or the gateway then read and dropped, up to 2 MiB each, as often as a client liked. Over the
 * limit: the same 429 {@code too_many_requests} as at {@code /reportData}, its body left unread and
 * the connection closed ({@link SlowBodyReads}). The image beacon's {@code GET}, which has no body,
 * is counted by its controller; a {@code GET} that carries a body as well is counted twice.
 */
@Configuration(proxyBeanMethods = false)
class RequestsPerClientFilter {

    /** After Spring Boot's character-encoding and observation filters, which read no body, and before the rest. */
    static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 2;

    @Bean
    FilterRegistrationBean<BodiesPerClient> requestsPerClientFilterRegistration(RequestsPerClient requests, MeterRegistry meters, JsonMapper json) {
        FilterRegistrationBean<BodiesPerClient> registration = new FilterRegistrationBean<>(
                new BodiesPerClient(requests, new IngestOutcomes(meters), json));
        registration.addUrlPatterns("/*");
        registration.setOrder(ORDER);
        return registration;
    }

    static final class BodiesPerClient extends OncePerRequestFilter {

        private final RequestsPerClient requests;
        private final IngestOutcomes outcomes;
        private final JsonMapper json;

        BodiesPerClient(RequestsPerClient requests, IngestOutcomes outcomes, JsonMapper json) {
            this.requests = requests;
            this.outcomes = outcomes;
            this.json = json;
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            if (carriesABody(request)) {
                try {
                    requests.admit(request.getRemoteAddr());
                } catch (IngestRefusedException refused) {
                    answer(refused, request, response);
                    return;
                }
            }
            chain.doFilter(request, response);
        }

        private void answer(IngestRefusedException refused, HttpServletRequest request, HttpServletResponse response) throws IOException {
            Rejection rejection = new Rejection(Rejection.WHOLE_BODY, refused.outcome(), refused.getMessage());
            outcomes.count(List.of(), List.of(rejection));
            response.setStatus(refused.status().value());
            refused.retryAfter().ifPresent(wait -> response.setHeader(HttpHeaders.RETRY_AFTER, RetryAfter.seconds(wait)));
            // its body is left unread and the connection closed (SlowBodyReads), which Tomcat says itself only after a 503 or 408
            response.setHeader(HttpHeaders.CONNECTION, "close");
            // Answered before the CORS filter: without this the SDK's fetch could not read why, nor when to retry. A
            // refusal tells a page nothing it may not see, so any origin may read it (the proxy's refusals do the same).
            String origin = request.getHeader(HttpHeaders.ORIGIN);
            if (origin != null) {
                response.setHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
                response.setHeader(HttpHeaders.ACCESS_CONTROL_EXPOSE_HEADERS, HttpHeaders.RETRY_AFTER);
                response.addHeader(HttpHeaders.VARY, HttpHeaders.ORIGIN);
            }
            response.setContentType(MediaType.APPLICATION_JSON_VALUE);
            response.getOutputStream().write(json.writeValueAsBytes(IngestResponse.refused(rejection)));
        }

        private static boolean carriesABody(HttpServletRequest request) {
            return request.getContentLengthLong() > 0 || request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null;
        }
    }
}
