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

    /**
     * What {@code bin/track local} and {@code bin/track infra} give the JVM that holds the broker
     * and the MongoDB-wire stand-in (Redis is a process of its own). Without a bound the JVM
     * sized its heap from the machine (a quarter of it) and grew to 2-7 GB resident under load;
     * the broker and the stand-in's file store (its page cache is 16 MB) need far less, which
     * {@code bin/track bench --pipeline} measures (peak RSS of the infrastructure). Exiting on
     * OutOfMemoryError stops a half-dead broker from taking writes it cannot keep.
     */
    public static final String DEFAULT_INFRA_JVM_OPTIONS = "-Xmx768m -XX:+ExitOnOutOfMemoryError";

    /**
     * What the infrastructure's JVM is also given on Java 24 and newer, by bin/track as by the
     * benchmark: Kafka's buffer unmapping (sun.misc.Unsafe) and lz4's native library are the
     * libraries' own uses, allowed instead of warned about. An AOT cache records these options and
     * maps only with them, so every starter of that JVM passes the same.
     */
    public static final List<String> INFRA_MODULE_OPTIONS = List.of("--sun-misc-unsafe-memory-access=allow",
            "--enable-native-access=ALL-UNNAMED");

    /** The infrastructure JVM's options: {@code configured} (TRACK_JAVA_OPTS or the default), and the module options from Java 24. */
    public static List<String> infraJvmOptions(String configured, int javaRelease) {
        List<String> options = new ArrayList<>(configured.isBlank() ? List.of() : List.of(configured.strip().split("\\s+")));
        if (javaRelease >= 24) {
            options.addAll(INFRA_MODULE_OPTIONS);
        }
        return List.copyOf(options);
    }

    /** The module whose jar holds the infrastructure, and this launcher: what its AOT cache is named by. */
    public static final String INFRASTRUCTURE_MODULE = "launcher";

    private final Settings settings;
    private final EmbeddedInfrastructure infra;
    private final List<ServiceProcess> services;
    private final Map<String, Instance> extras = new java.util.concurrent.ConcurrentHashMap<>();

    private LocalPipeline(Settings settings, EmbeddedInfrastructure infra, List<ServiceProcess> services) {
        this.settings = settings;
        this.infra = infra;
        this.services = new java.util.concurrent.CopyOnWriteArrayList<>(services);
    }

    /**
     * @param home         the checkout, where each service's jar is under {@code <module>/target}
     * @param projectsFile the project registry the services load
     * @param ports        where each service answers its API, and health and metrics
     */
    public record Settings(Path home, InfrastructureSettings infrastructure, Path projectsFile, ServicePorts ports,
                           List<String> jvmOptions) {
    }

    public static LocalPipeline start(Settings settings) throws Exception {
        return start(settings, new StartedSoFar());
    }

    /** Starts the pipeline, telling {@code soFar} each part it brings up, so that a stop while it starts stops them. */
    public static LocalPipeline start(Settings settings, StartedSoFar soFar) throws Exception {
        EmbeddedInfrastructure infra = soFar.start(() -> EmbeddedInfrastructure.start(settings.infrastructure()));
        List<ServiceProcess> services = new ArrayList<>();
        try {
            for (Service service : Service.values()) {
                services.add(soFar.start(() -> startService(settings, infra, service)));
            }
            for (ServiceProcess service : services) {
                service.awaitHealthy(START_TIMEOUT);
            }
            return soFar.add(new LocalPipeline(settings, infra, services));
        } catch (Exception e) {
            soFar.close(); // once, under the lock a stop takes too: a Ctrl-C may be stopping the same parts
            throw e;
        }
    }

    /**
     * What a start has brought up so far: Ctrl-C during the first minute stops those parts (the
     * services first, then the infrastructure), instead of leaving them to the orphan guards' SIGKILL.
     */
    public static final class StartedSoFar implements AutoCloseable {

        /**
         * How long a stop waits for a part that is starting (the infrastructure takes the longest):
         * the part is then stopped as it should be, not cut off by the JVM's exit halfway through
         * its start, with its stores open. A start that itself ends the JVM (a fatal error inside a
         * library) is waited for this long too, and a second Ctrl-C cannot shorten the wait.
         */
        static final Duration PART_START_WAIT = Duration.ofSeconds(90);

        private final java.util.Deque<AutoCloseable> parts = new java.util.ArrayDeque<>();
        private final Duration partStartWait;
        private boolean closed;
        private int starting;
        private volatile boolean stopAsked;

        public StartedSoFar() {
            this(PART_START_WAIT);
        }

        StartedSoFar(Duration partStartWait) {
            this.partStartWait = partStartWait;
        }

        /**
         * Starts a part and takes it in; a stop asked meanwhile waits for the start to end, and the
         * part is stopped as soon as it has started.
         */
        <T extends AutoCloseable> T start(java.util.concurrent.Callable<T> part) throws Exception {
            synchronized (this) {
                if (closed) {
                    throw new InterruptedException("stopped while starting");
                }
                starting++;
            }
            try {
                return add(part.call());
            } finally {
                synchronized (this) {
                    starting--;
                    notifyAll();
                }
            }
        }

        /** Takes {@code part} in; refuses it, stopping it, when the start was stopped first. */
        synchronized <T extends AutoCloseable> T add(T part) throws Exception {
            if (closed) {
                part.close();
                throw new InterruptedException("stopped while starting");
            }
            if (part instanceof LocalPipeline) {
                parts.clear(); // the whole pipeline now stops its parts
            }
            parts.push(part);
            return part;
        }

        /** The exit status of a command stopped while it started, as the shell's for SIGINT. */
        static final int STOPPED_WHILE_STARTING = 130;

        /**
         * What {@code start} returns, or nothing when a stop cut it short: a start cut short may fail
         * in any way (a library cannot add its shutdown hook once shutdown has begun), and what the
         * user asked for happened, so that failure is no news. Any other failure is thrown.
         */
        <T> java.util.Optional<T> unlessStopped(java.util.concurrent.Callable<T> start) throws Exception {
            try {
                return java.util.Optional.of(start.call());
            } catch (Exception | Error failure) {
                if (stopAsked) {
                    return java.util.Optional.empty();
                }
                throw failure;
            }
        }

        /** Whether anything has started or is starting: what a stop then has to stop. */
        synchronized boolean holdsAny() {
            return !parts.isEmpty() || starting > 0;
        }

        /** A stop asked from outside (a signal): what has started stops, and the start's failure that follows is no news. */
        void stop() {
            stopAsked = true;
            synchronized (this) {
                closed = true; // nothing starts any more, and a part that finishes starting stops at once (add)
            }
            // the parts started before it stop after it: a service before the infrastructure it uses
            awaitPartsStarting();
            close();
        }

        private synchronized void awaitPartsStarting() {
            long deadline = System.nanoTime() + partStartWait.toNanos();
            try {
                for (long left = partStartWait.toNanos(); starting > 0 && left > 0; left = deadline - System.nanoTime()) {
                    java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        boolean stopAsked() {
            return stopAsked;
        }

        /** Stops each part once, the last started first; a part that fails to stop does not keep the others running. */
        @Override
        public synchronized void close() {
            closed = true;
            boolean interrupted = false;
            while (!parts.isEmpty()) {
                try {
                    parts.pop().close();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (Exception e) {
                    System.err.println("track: stopping a part failed: " + e.getMessage());
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static ServiceProcess startService(Settings settings, EmbeddedInfrastructure infra, Service service) throws Exception {
        return startService(settings, infra, firstInstance(settings, service));
    }

    /** The service's first instance: named as its module, on the ports the settings give it. */
    private static Instance firstInstance(Settings settings, Service service) {
        return new Instance(service.module(), service, settings.ports().of(service));
    }

    private static ServiceProcess startService(Settings settings, EmbeddedInfrastructure infra, Instance instance) throws Exception {
        Map<String, String> env = new LinkedHashMap<>(infra.environment());
        env.put("TRACK_PROJECTS_FILE", settings.projectsFile().toAbsolutePath().toString());
        env.putAll(instance.service().environment(instance.ports()));
        env.putAll(dashboardLinks(instance.service(), settings.ports(), System.getenv()));
        Path jar = settings.home().resolve(instance.service().module()).resolve("target").resolve(instance.service().module() + "-exec.jar");
        return ServiceProcess.start(instance.name(), jar, instance.ports().api(), instance.ports().management(), env, settings.jvmOptions(),
                logs(settings));
    }

    /**
     * The dashboard (the aggregator's page) reads error groups and recordings from the writer, from
     * the browser: the aggregator is told where the writer answers, the writer which origins the
     * page has (by address and by name), unless the user's environment says otherwise.
     */
    static Map<String, String> dashboardLinks(Service service, ServicePorts ports, Map<String, String> environment) {
        int aggregator = ports.of(Service.AGGREGATOR).api();
        Map<String, String> links = switch (service) {
            case AGGREGATOR -> Map.of("DASHBOARD_WRITER_URL", "http://127.0.0.1:" + ports.of(Service.WRITER).api());
            case WRITER -> Map.of("WRITER_DASHBOARD_ORIGINS", "http://127.0.0.1:" + aggregator + ",http://localhost:" + aggregator);
            case GATEWAY -> Map.of();
        };
        Map<String, String> unset = new LinkedHashMap<>();
        links.forEach((name, value) -> {
            if (environment.get(name) == null) {
                unset.put(name, value);
            }
        });
        return unset;
    }

    /** A running copy of a service beside the first: its name (and log's), what it runs, and its ports. */
    private record Instance(String name, Service service, ServicePorts.Ports ports) {
    }

    /**
     * Another instance of a service, on free ports, named {@code <module>-<n>} (the first is the
     * module's name): another gateway behind the same topics, or another member of the writer's or
     * the aggregator's consumer group, sharing its partitions. Returns its name, which
     * {@link #kill}, {@link #stop}, {@link #start} and {@link #url} take.
     */
    public String startAnother(Service service) throws Exception {
        return startAnotherOfEach(service).get(0);
    }

    /** As {@link #startAnother}, for each of {@code services} at once; their names in the same order. */
    public List<String> startAnotherOfEach(Service... services) throws Exception {
        List<Instance> others = new ArrayList<>();
        for (Service service : services) {
            String name = service.module() + "-" + (2 + extras.values().stream().filter(instance -> instance.service() == service).count());
            Instance instance = new Instance(name, service, ServicePorts.Ports.free());
            extras.put(name, instance);
            others.add(instance);
        }
        startTogether(others);
        return others.stream().map(Instance::name).toList();
    }

    /** Stops one service gracefully (operators and tests stop a consumer to move its offsets). */
    public void stop(String service) throws InterruptedException {
        ServiceProcess process = running(service);
        process.close();
        services.remove(process);
    }

    /** Kills one service with SIGKILL, as a crash would (fault tests). */
    public void kill(String service) throws InterruptedException {
        ServiceProcess process = running(service);
        process.kill();
        services.remove(process);
    }

    /**
     * Starts stopped services (or instances) again, on their ports, all at once as a supervisor
     * restarting them would, and waits until each is healthy.
     */
    public void start(String... names) throws Exception {
        List<Instance> instances = new ArrayList<>();
        for (String name : names) {
            instances.add(extras.containsKey(name) ? extras.get(name) : firstInstance(settings, Service.ofModule(name)));
        }
        startTogether(instances);
    }

    /** Starts every instance, then waits for each to be healthy: their starts overlap, as a supervisor's would. */
    private void startTogether(List<Instance> instances) throws Exception {
        List<ServiceProcess> started = new ArrayList<>();
        for (Instance instance : instances) {
            ServiceProcess process = startService(settings, infra, instance);
            services.add(process);
            started.add(process);
        }
        for (ServiceProcess process : started) {
            process.awaitHealthy(START_TIMEOUT);
        }
    }

    public EmbeddedInfrastructure infrastructure() {
        return infra;
    }

    public String url(String service) {
        return running(service).url();
    }

    /** Where the service answers health and metrics. */
    public String managementUrl(String service) {
        return running(service).managementUrl();
    }

    /** Where every service's output goes, one file per instance, named as the instance. */
    public Path logs() {
        return logs(settings);
    }

    private static Path logs(Settings settings) {
        return settings.infrastructure().dataDir().resolve("logs");
    }

    /** The running service's output (its log file). */
    public Path log(String service) {
        return running(service).log();
    }

    private ServiceProcess running(String service) {
        return services.stream().filter(process -> process.name().equals(service)).findFirst().orElseThrow();
    }

    void printReadyLines() {
        infra.components().forEach(component -> ReadyLines.print(component.name(), component.address(),
                component.embedded() ? "embedded" : "external"));
        services.forEach(service -> ReadyLines.print(service.name(), service.url(), "pid " + service.pid() + ", log " + service.log()
                + ", health and metrics at " + service.managementUrl()));
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
