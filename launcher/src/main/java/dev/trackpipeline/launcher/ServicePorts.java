package dev.trackpipeline.launcher;

import dev.trackpipeline.infra.FreePorts;
import java.util.EnumMap;
import java.util.Map;

/** Where each service listens: its API port and its management port. */
public record ServicePorts(Map<Service, Ports> byService) {

    /** One service's two ports. */
    public record Ports(int api, int management) {

        public static Ports free() {
            return new Ports(FreePorts.one(), FreePorts.one());
        }
    }

    public ServicePorts {
        for (Service service : Service.values()) {
            if (!byService.containsKey(service)) {
                throw new IllegalArgumentException("no ports given for " + service.module());
            }
        }
        byService = Map.copyOf(byService);
    }

    /** Free ports for every service, for tests and benchmarks that run beside others. */
    public static ServicePorts free() {
        Map<Service, Ports> ports = new EnumMap<>(Service.class);
        for (Service service : Service.values()) {
            ports.put(service, Ports.free());
        }
        return new ServicePorts(ports);
    }

    public Ports of(Service service) {
        return byService.get(service);
    }

    /** The variables that tell the service where to listen. */
    public Map<String, String> environment(Service service) {
        return service.environment(of(service));
    }
}
