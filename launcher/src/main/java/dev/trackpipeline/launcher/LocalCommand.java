package dev.trackpipeline.launcher;

import dev.trackpipeline.infra.InfrastructureSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "local", mixinStandardHelpOptions = true,
        description = "Run the whole pipeline on embedded defaults: Kafka, a MongoDB-wire server, Redis, "
                + "the gateway, the writer and the aggregator. Ctrl-C stops everything.")
final class LocalCommand implements Callable<Integer> {

    @Mixin
    InfraOptions infra;

    @Option(names = "--home", defaultValue = "${sys:track.home:-.}", description = "The checkout holding the built jars.")
    Path home;

    /** Null when neither the option nor TRACK_PROJECTS_FILE names one: the checkout's sample. */
    @Option(names = "--projects-file", defaultValue = "${env:TRACK_PROJECTS_FILE}",
            description = "Project registry (default: the checkout's config/projects.yml, which holds demo-project / demo-read-token).")
    Path projectsFile;

    @Option(names = "--gateway-port", defaultValue = "${env:GATEWAY_PORT:-3000}",
            description = "the public port every page posts to (default: ${DEFAULT-VALUE})")
    int gatewayPort;

    @Option(names = "--writer-port", defaultValue = "${env:WRITER_PORT:-3001}",
            description = "the writer's query API (default: ${DEFAULT-VALUE})")
    int writerPort;

    @Option(names = "--aggregator-port", defaultValue = "${env:AGGREGATOR_PORT:-3002}",
            description = "the aggregator's metrics API and dashboard (default: ${DEFAULT-VALUE})")
    int aggregatorPort;

    @Option(names = "--gateway-management-port", defaultValue = "${env:GATEWAY_MANAGEMENT_PORT:-3010}",
            description = "where the gateway answers health and metrics (default: ${DEFAULT-VALUE}); no API port does")
    int gatewayManagementPort;

    @Option(names = "--writer-management-port", defaultValue = "${env:WRITER_MANAGEMENT_PORT:-3011}",
            description = "where the writer answers health and metrics (default: ${DEFAULT-VALUE})")
    int writerManagementPort;

    @Option(names = "--aggregator-management-port", defaultValue = "${env:AGGREGATOR_MANAGEMENT_PORT:-3012}",
            description = "where the aggregator answers health and metrics (default: ${DEFAULT-VALUE})")
    int aggregatorManagementPort;

    @Option(names = "--service-jvm-options", defaultValue = "${env:TRACK_SERVICE_JAVA_OPTS:-" + ServiceProcess.DEFAULT_JVM_OPTIONS + "}", split = " ",
            description = "JVM options of each service process (default: ${DEFAULT-VALUE}).")
    List<String> jvmOptions;

    /** The demo project of the default registry; the fragment fills the dashboard's form and is never sent to a server. */
    static final String DEMO_DASHBOARD_FRAGMENT = "/#apikey=demo-project&token=demo-read-token";
    static final Path DEFAULT_PROJECTS_FILE = Path.of("config/projects.yml");

    @Mixin
    VerboseOption verbose;

    /** What would stop a service minutes in, found before any starts: the projects file, every port, the room on the disk. */
    private static void checkBeforeStarting(Path registry, InfrastructureSettings infrastructure, ServicePorts ports) throws Exception {
        CheckConfigCommand.requireValidProjects(registry);
        // before the ports: a second start on the same directory finds the first one's ports taken, which is not the news
        DataDirectoryFailures.requireUsable(infrastructure);
        List<PortsInUse.Use> uses = new java.util.ArrayList<>(PortsInUse.ofInfrastructure(infrastructure));
        uses.addAll(PortsInUse.ofServices(ports));
        PortsInUse.requireFree(uses);
        DataDirectoryFailures.requireRoom(infrastructure, DataDirectoryFailures.MIN_FREE_BYTES);
    }

    @Override
    public Integer call() throws Exception {
        long started = System.nanoTime();
        // The sample registry is the checkout's; a file the user names is where they are, as for check-config.
        Path registry = projectsFile == null ? home.resolve(DEFAULT_PROJECTS_FILE) : projectsFile.toAbsolutePath();
        InfraOptions.requirePort("--gateway-port", "GATEWAY_PORT", gatewayPort);
        InfraOptions.requirePort("--writer-port", "WRITER_PORT", writerPort);
        InfraOptions.requirePort("--aggregator-port", "AGGREGATOR_PORT", aggregatorPort);
        InfraOptions.requirePort("--gateway-management-port", "GATEWAY_MANAGEMENT_PORT", gatewayManagementPort);
        InfraOptions.requirePort("--writer-management-port", "WRITER_MANAGEMENT_PORT", writerManagementPort);
        InfraOptions.requirePort("--aggregator-management-port", "AGGREGATOR_MANAGEMENT_PORT", aggregatorManagementPort);
        ServicePorts ports = new ServicePorts(Map.of(
                Service.GATEWAY, new ServicePorts.Ports(gatewayPort, gatewayManagementPort),
                Service.WRITER, new ServicePorts.Ports(writerPort, writerManagementPort),
                Service.AGGREGATOR, new ServicePorts.Ports(aggregatorPort, aggregatorManagementPort)));
        InfrastructureSettings infrastructure = infra.settings();
        checkBeforeStarting(registry, infrastructure, ports);
        // Stops whatever has started, from the first moment: Ctrl-C while it starts stops that much.
        LocalPipeline.StartedSoFar soFar = new LocalPipeline.StartedSoFar();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (soFar.holdsAny()) {
                System.out.println("stopping track-pipeline...");
            }
            soFar.stop();
            stopped.countDown();
        }, "track-local-shutdown"));
        var running = soFar.unlessStopped(() -> DataDirectoryFailures.whileStarting(infrastructure.dataDir(),
                () -> LocalPipeline.start(new LocalPipeline.Settings(home, infrastructure, registry, ports, jvmOptions), soFar)));
        if (running.isEmpty()) {
            return LocalPipeline.StartedSoFar.STOPPED_WHILE_STARTING;
        }
        LocalPipeline pipeline = running.get();
        pipeline.printReadyLines();
        System.out.printf("track-pipeline ready in %.1f s: POST events to %s/reportData; Ctrl-C stops everything%n",
                (System.nanoTime() - started) / 1e9, pipeline.url("gateway"));
        System.out.println("dashboard: " + pipeline.url("consumer-aggregator")
                + (projectsFile == null ? DEMO_DASHBOARD_FRAGMENT : "/"));
        stopped.await();
        return 0;
    }
}
