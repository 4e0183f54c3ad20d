package dev.trackpipeline.bench;

import java.time.Duration;

/**
 * CPU time spent during a measurement, from the operating system's accounting: by the service
 * under measurement, and by the infrastructure it works against (this JVM, which holds the broker
 * and the MongoDB-wire stand-in, and the redis-server it started). A drain and its baseline share
 * two cores with everything else, so what each costs per event in CPU says how far a drain could
 * ever get from its baseline, whatever the code does.
 */
record CpuTime(Duration service, Duration infrastructure) {

    static final CpuTime NONE = new CpuTime(Duration.ZERO, Duration.ZERO);

    /** Now, for the service with {@code servicePid} (0 for none). */
    static CpuTime now(long servicePid) {
        Duration infrastructure = cpuOf(ProcessHandle.current());
        for (ProcessHandle child : ProcessHandle.current().children().toList()) {
            if (child.info().command().orElse("").contains("redis-server")) {
                infrastructure = infrastructure.plus(cpuOf(child));
            }
        }
        return new CpuTime(servicePid == 0 ? Duration.ZERO : ProcessHandle.of(servicePid).map(CpuTime::cpuOf).orElse(Duration.ZERO),
                infrastructure);
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
