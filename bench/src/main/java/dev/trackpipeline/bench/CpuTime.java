package dev.trackpipeline.bench;

import java.time.Duration;

/**
 * CPU time spent during a measurement, from the operating system's accounting: by the services
 * under measurement (the instances of a stage, added up), and by the infrastructure they work against (this JVM, which holds the broker
 * and the MongoDB-wire stand-in, and the redis-server it started). A drain and its baseline share
 * two cores with everything else, so what each costs per event in CPU says how far a drain could
 * ever get from its baseline, whatever the code does.
 */
record CpuTime(Duration service, Duration infrastructure) {

    static final CpuTime NONE = new CpuTime(Duration.ZERO, Duration.ZERO);

    /** Now, for the services with {@code servicePids} (none for a baseline, which runs no service). */
    static CpuTime now(long... servicePids) {
        Duration infrastructure = cpuOf(ProcessHandle.current());
        for (ProcessHandle child : ProcessHandle.current().children().toList()) {
            if (child.info().command().orElse("").contains("redis-server")) {
                infrastructure = infrastructure.plus(cpuOf(child));
            }
        }
        Duration services = Duration.ZERO;
        for (long pid : servicePids) {
            services = services.plus(ProcessHandle.of(pid).map(CpuTime::cpuOf).orElse(Duration.ZERO));
        }
        return new CpuTime(services, infrastructure);
    }

    CpuTime since(CpuTime earlier) {
        return new CpuTime(service.minus(earlier.service), infrastructure.minus(earlier.infrastructure));
    }

    /** Microseconds of CPU per event: the service's, the infrastructure's, and both. */
    PerEvent perEvent(long events) {
        return new PerEvent(micros(service) / events, micros(infrastructure) / events, micros(service.plus(infrastructure)) / events);
    }

    record PerEvent(double serviceMicros, double infrastructureMicros, double totalMicros) {
    }

    private static double micros(Duration duration) {
        return duration.toNanos() / 1e3;
    }

    private static Duration cpuOf(ProcessHandle process) {
        return process.info().totalCpuDuration().orElse(Duration.ZERO);
    }
}
