package dev.trackpipeline.bench;

import dev.trackpipeline.launcher.Service;
import dev.trackpipeline.launcher.ServicePorts;
import dev.trackpipeline.launcher.ServiceProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The services, started as bin/track local starts them (the consumers with the bench's listener controls besides), against the infrastructure child. */
final class PipelineServices implements AutoCloseable {

    private final Path home;
    private final InfraChild infra;
    private final Path projects;
    private final Path logs;
    private final Map<Service, ServiceProcess> running = new LinkedHashMap<>();

    PipelineServices(Path home, InfraChild infra, Path projects, Path logs) {
        this.home = home;
        this.infra = infra;
        this.projects = projects;
        this.logs = logs;
    }

    /** A projects file of one project with no rate limit worth the name: the benchmarks measure the pipeline, not the limiter. */
    static Path writeProjects(Path file, String apikey, String readToken) throws IOException {
        return Files.writeString(file, """
                projects:
                  - apikey: %s
                    readToken: %s
                    allowedOrigins: ["*"]
                    rateLimit: {eventsPerSecond: 1000000000, burst: 1000000000}
                """.formatted(apikey, readToken));
    }

    void startAll() throws Exception {
        start(List.of(Service.values()));
    }

    void start(List<Service> services) throws Exception {
        ServicePorts ports = ServicePorts.free();
        for (Service service : services) {
            Map<String, String> env = new LinkedHashMap<>(infra.environment());
            env.put("TRACK_PROJECTS_FILE", projects.toString());
            env.putAll(ports.environment(service));
            List<String> jvmOptions = new ArrayList<>(BenchServices.JVM_OPTIONS);
            if (service == Service.GATEWAY) {
                jvmOptions.add("-Dtrack.gateway.bench-noop-route=true");
                jvmOptions.addAll(BenchServices.ONE_CLIENT_MANY_CONNECTIONS);
            } else {
                // Pausing a consumer lets a benchmark queue records up before timing how fast it takes them.
                jvmOptions.add(BenchServices.LISTENER_CONTROLS);
            }
            running.put(service, ServiceProcess.start(service.module(), BenchServices.jarOf(home, service), ports.of(service).api(),
                    ports.of(service).management(), env, jvmOptions, logs));
        }
        for (ServiceProcess process : running.values()) {
            process.awaitHealthy(Duration.ofMinutes(3));
        }
    }

    ServiceProcess gateway() {
        return of(Service.GATEWAY);
    }

    ServiceProcess of(Service service) {
        return running.get(service);
    }

    void stopConsumers() throws InterruptedException {
        running.remove(Service.WRITER).close();
        running.remove(Service.AGGREGATOR).close();
    }

    ProcessUsage usage(Service service) {
        return ProcessUsage.of(List.of(ProcessHandle.of(running.get(service).pid()).orElseThrow()));
    }

    /** Every process by name, the infrastructure's JVM and its redis-server apart. */
    Map<String, ProcessUsage> usageByProcess(InfraChild infra) {
        Map<String, ProcessUsage> usage = new LinkedHashMap<>();
        running.forEach((service, process) -> usage.put(service.module(), usage(service)));
        List<ProcessHandle> infraProcesses = infra.processes();
        usage.put("infrastructure JVM (Kafka, MongoDB-wire stand-in)", ProcessUsage.of(infraProcesses.subList(0, 1)));
        usage.put("redis-server", ProcessUsage.of(infraProcesses.subList(1, infraProcesses.size())));
        return usage;
    }

    Map<String, Double> peakRss(InfraChild infra) {
        Map<String, Double> peaks = new LinkedHashMap<>();
        usageByProcess(infra).forEach((process, usage) -> peaks.put(process, usage.peakRssKiB() / 1024.0));
        return peaks;
    }

    @Override
    public void close() throws InterruptedException {
        for (ServiceProcess process : running.values()) {
            process.close();
        }
    }
}
