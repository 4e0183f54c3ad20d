package dev.trackpipeline.aggregator.dashboard;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The dashboard shows text that browsers sent (error messages, page URLs). It only ever sets it
 * as text; this policy is the second line: no script but the aggregator's own files runs, no
 * page may frame the dashboard, and nothing leaves but for this origin and the writer's, whose
 * query API the page reads error groups and recordings from. Recordings play in a page of their
 * own with a stricter policy ({@link #REPLAY_POLICY}).
 */
@Component
public class DashboardSecurityHeaders extends OncePerRequestFilter {

    private final DashboardProperties properties;

    public DashboardSecurityHeaders(DashboardProperties properties) {
        this.properties = properties;
    }

    /**
     * The session player's page, which the dashboard frames, and the frame rrweb rebuilds the
     * recorded page in (it takes this policy): its own scripts only; the recorded page's styles
     * inline (rrweb rebuilds them as style elements), its images only as data: (a recorded URL is
     * never fetched), nothing else loaded or sent anywhere. Played from an offset, rrweb holds
     * recorded nodes in the player's own document for a moment: there, only this script-src stops
     * a recorded inline handler, so it must never take 'unsafe-inline', 'unsafe-hashes' or
     * 'strict-dynamic' ({@code DashboardBrowserIT} plays such a recording).
     */
    static final String REPLAY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src data:; "
            + "font-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";
    static final String REPLAY_PAGE = "/replay.html";

    static String policy(String writerOrigin) {
        return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'"
                + (writerOrigin.isEmpty() ? "" : " " + writerOrigin)
                + "; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        response.setHeader("Content-Security-Policy", REPLAY_PAGE.equals(request.getServletPath()) ? REPLAY_POLICY
                : policy(properties.writerOriginFor(request).orElse("")));
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Referrer-Policy", "no-referrer");
        chain.doFilter(request, response);
    }
}
