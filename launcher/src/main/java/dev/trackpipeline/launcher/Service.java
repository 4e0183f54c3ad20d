package dev.trackpipeline.launcher;

import java.util.Map;

/**
 * The three services, each with the module that builds it and the variables that place its two
 * ports: the API (the gateway's is public: every page posts to it) and the management port, where
 * only health and Prometheus answer, for the orchestrator and the scraper (their defaults are in
 * each service's application.yml and in {@code bin/track local}'s options). Start order.
 */
public enum Service {
    GATEWAY("gateway", "GATEWAY_PORT", "GATEWAY_MANAGEMENT_PORT"),
    WRITER("consumer-writer", "WRITER_PORT", "WRITER_MANAGEMENT_PORT"),
    AGGREGATOR("consumer-aggregator", "AGGREGATOR_PORT", "AGGREGATOR_MANAGEMENT_PORT");

    private final String module;
    private final String portVariable;
    private final String managementPortVariable;

    Service(String module, String portVariable, String managementPortVariable) {
        this.module = module;
        this.portVariable = portVariable;
        this.managementPortVariable = managementPortVariable;
    }

    /** How {@code bin/track}'s options name it: {@code --gateway-port}, {@code --writer-port}, {@code --aggregator-port}. */
    public String shortName() {
        return module.replace("consumer-", "");
    }

    public String portVariable() {
        return portVariable;
    }

    public String managementPortVariable() {
        return managementPortVariable;
    }

    /** The Maven module, which also names the service's jar, process and log. */
    public String module() {
        return module;
    }

    /** The variables that tell the service to listen on {@code ports}. */
    public Map<String, String> environment(ServicePorts.Ports ports) {
        return Map.of(portVariable, String.valueOf(ports.api()), managementPortVariable, String.valueOf(ports.management()));
    }

    public static Service ofModule(String module) {
        for (Service service : values()) {
            if (service.module.equals(module)) {
                return service;
            }
        }
        throw new IllegalArgumentException("no service is built by module " + module);
    }
}
