package dev.trackpipeline.launcher;

import dev.trackpipeline.infra.EmbeddedInfrastructure;
import dev.trackpipeline.infra.InfrastructureSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole pipeline on one machine: the infrastructure in this process, and gateway, writer and
 * aggregator as child processes, exactly as they run in production.
 */
public final class LocalPipeline implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

    private final EmbeddedInfrastructure infra;
    private final List<ServiceProcess> services;

    private LocalPipeline(EmbeddedInfrastructure infra, List<ServiceProcess> services) {
        this.infra = infra;
        this.services = services;
    }

    /**
     * @param home         the checkout, where each service's jar is under {@code <module>/target}
     * @param projectsFile the project registry the services load
     */
    public record Settings(Path home, InfrastructureSettings infrastructure, Path projectsFile,
                           int gatewayPort, int writerPort, int aggregatorPort, List<String> jvmOptions) {
    }

    public static LocalPipeline start(Settings settings) throws Exception {
        EmbeddedInfrastructure infra = EmbeddedInfrastructure.start(settings.infrastructure());
        List<ServiceProcess> services = new ArrayList<>();
        try {
            Path logs = settings.infrastructure().dataDir().resolve("logs");
            services.add(startService(settings, infra, logs, "gateway", "gateway", "GATEWAY_PORT", settings.gatewayPort()));
            services.add(startService(settings, infra, logs, "consumer-writer", "consumer-writer", "WRITER_PORT", settings.writerPort()));
            services.add(startService(settings, infra, logs, "consumer-aggregator", "consumer-aggregator", "AGGREGATOR_PORT",
                    settings.aggregatorPort()));
            for (ServiceProcess service : services) {
                service.awaitHealthy(START_TIMEOUT);
            }
            return new LocalPipeline(infra, services);
        } catch (Exception e) {
            new LocalPipeline(infra, services).close();
            throw e;
        }
    }

    private static ServiceProcess startService(Settings settings, EmbeddedInfrastructure infra, Path logs, String name,
                                               String module, String portVariable, int port) throws Exception {
        Map<String, String> env = new LinkedHashMap<>(infra.environment());
        env.put("TRACK_PROJECTS_FILE", settings.projectsFile().toAbsolutePath().toString());
        env.put(portVariable, String.valueOf(port));
        Path jar = settings.home().resolve(module).resolve("target").resolve(module + "-exec.jar");
        return ServiceProcess.start(name, jar, port, env, settings.jvmOptions(), logs);
    }

    public EmbeddedInfrastructure infrastructure() {
        return infra;
    }

    public String url(String service) {
        return services.stream().filter(process -> process.name().equals(service)).findFirst().orElseThrow().url();
    }

    void printReadyLines() {
        infra.components().forEach(component -> ReadyLines.print(component.name(), component.address(),
                component.embedded() ? "embedded" : "external"));
        services.forEach(service -> ReadyLines.print(service.name(), service.url(), "pid " + service.pid() + ", log " + service.log()));
    }

    /** Services first, so they finish and commit while Kafka and the stores are still there. */
    @Override
    public void close() {
        services.parallelStream().forEach(service -> {
            try {
                service.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        infra.close();
    }
}
