package dev.trackpipeline.gateway.ingest;

import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Where a client's address comes from, which every per-client bound and the client hash read from
 * {@link jakarta.servlet.ServletRequest#getRemoteAddr()}: the TCP peer's, or with
 * {@code server.forward-headers-strategy: native} Tomcat's RemoteIpValve, which takes it from
 * X-Forwarded-For only when the peer is one of {@code server.tomcat.remoteip.internal-proxies}
 * (or {@code trusted-proxies}), before any of the gateway's own code or valves run.
 *
 * <p>{@code framework} is refused at start-up: Spring's ForwardedHeaderFilter believes the header
 * whoever sends it, so any client could pick the address its limits are counted against, and the
 * valves that bound body reads would still see the peer's address.
 */
@Configuration(proxyBeanMethods = false)
class ForwardedClientAddresses {

    ForwardedClientAddresses(Environment environment) {
        String strategy = environment.getProperty("server.forward-headers-strategy", "").trim();
        if (strategy.equalsIgnoreCase("framework")) {
            throw new IllegalStateException("server.forward-headers-strategy: framework believes X-Forwarded-For from any"
                    + " client, which could then choose the address its limits are counted against; use native, which"
                    + " believes it only from server.tomcat.remoteip.internal-proxies");
        }
    }
}
