package dev.trackpipeline.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The production stack cannot start here (no Docker engine), so its files are checked instead:
 * docker-compose itself validates the compose file, and the stack must hold what the design names.
 */
class DeploymentFilesTest {

    private static final Path HOME = Path.of("..").toAbsolutePath().normalize();
    private final YAMLMapper yaml = YAMLMapper.builder().build();

    @Test
    void composeFileIsValidAndHoldsTheProductionStack() throws Exception {
        String normalized = dockerCompose("-f", "docker-compose.yml", "config");
        JsonNode services = yaml.readTree(normalized).get("services");

        assertThat(services.propertyNames()).containsExactlyInAnyOrder("kafka-1", "kafka-2", "kafka-3",
                "mongo", "redis", "proxy", "gateway", "consumer-writer", "consumer-aggregator", "prometheus", "grafana");
        for (String service : services.propertyNames()) {
            assertThat(services.get(service).get("restart")).as(service + " is started again when it exits").isNotNull();
            assertThat(services.get(service).get("restart").stringValue()).isEqualTo("unless-stopped");
        }
        for (String node : List.of("kafka-1", "kafka-2", "kafka-3")) {
            JsonNode kafka = services.get(node);
            assertThat(kafka.get("image").stringValue()).startsWith("apache/kafka:");
            JsonNode environment = kafka.get("environment");
            assertThat(environment.get("KAFKA_PROCESS_ROLES").stringValue()).isEqualTo("broker,controller");
            assertThat(environment.get("KAFKA_NODE_ID").stringValue()).isEqualTo(node.substring("kafka-".length()));
            assertThat(environment.get("KAFKA_CONTROLLER_QUORUM_VOTERS").stringValue()).isEqualTo("1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093");
            // Kafka's own topics as durable as the events': a lost consumer offset re-reads, a lost transaction state fails writes
            assertThat(environment.get("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR").stringValue()).isEqualTo("3");
            assertThat(environment.get("KAFKA_MIN_INSYNC_REPLICAS").stringValue()).isEqualTo("2");
            assertThat(environment.get("KAFKA_UNCLEAN_LEADER_ELECTION_ENABLE").stringValue()).isEqualTo("false");
        }
        assertThat(services.get("mongo").get("image").stringValue()).startsWith("mongo:8");
        assertThat(services.get("redis").get("image").stringValue()).startsWith("redis:7");
        // eviction would take progress markers and dedup ids, and count again (docs/redis-memory.md)
        assertThat(yaml.convertValue(services.get("redis").get("command"), List.class))
                .containsSubsequence("--maxmemory-policy", "noeviction").contains("--maxmemory");
        for (String service : List.of("gateway", "consumer-writer", "consumer-aggregator")) {
            JsonNode environment = services.get(service).get("environment");
            assertThat(environment.get("KAFKA_BOOTSTRAP_SERVERS").stringValue()).isEqualTo("kafka-1:9092,kafka-2:9092,kafka-3:9092");
            // production's durability, which the services also refuse to start without (TopicDurability)
            assertThat(environment.get("TRACK_TOPICS_REPLICATION_FACTOR").stringValue()).isEqualTo("3");
            assertThat(environment.get("TRACK_TOPICS_MIN_INSYNC_REPLICAS").stringValue()).isEqualTo("2");
            assertThat(environment.get("MONGODB_URI").stringValue()).isEqualTo("mongodb://mongo:27017/track");
            assertThat(environment.get("REDIS_HOST").stringValue()).isEqualTo("redis");
            assertThat(HOME.resolve(service).resolve("Dockerfile")).exists();
        }
    }

    /**
     * The gateway's port is public: compose puts the shipped nginx configuration in front of it
     * (run for real by the gateway's ReverseProxyInFrontTest), publishes only the proxy, and has the
     * gateway believe X-Forwarded-For from the proxy's address and no other. The proxy reaches every
     * instance of each service by its name, so that each can be scaled.
     */
    @Test
    void composeReachesTheGatewayOnlyThroughTheShippedProxyWhichAloneItTrusts() throws Exception {
        JsonNode services = yaml.readTree(Files.readString(HOME.resolve("docker-compose.yml"))).get("services");
        JsonNode proxy = services.get("proxy");
        JsonNode gateway = services.get("gateway");

        assertThat(proxy.get("image").stringValue()).startsWith("nginx:");
        assertThat(yaml.convertValue(proxy.get("volumes"), List.class)).containsExactly("./deploy/nginx/nginx.conf:/etc/nginx/nginx.conf:ro",
                "./deploy/nginx/track-gateway.conf:/etc/nginx/conf.d/default.conf:ro",
                "./deploy/nginx/track-read-apis.conf:/etc/nginx/conf.d/read-apis.conf:ro");
        assertThat(yaml.convertValue(proxy.get("ports"), List.class)).containsExactly("3000:3000", "3001:3001", "3002:3002");
        String proxyAddress = proxy.get("networks").get("edge").get("ipv4_address").stringValue();
        assertThat(gateway.get("environment").get("SERVER_FORWARDHEADERSSTRATEGY").stringValue()).isEqualTo("native");
        assertThat(gateway.get("environment").get("SERVER_TOMCAT_REMOTEIP_INTERNALPROXIES").stringValue()).isEqualTo(proxyAddress + "/32");
        // the services' addresses come from the edge network's upper half, never the proxy's
        assertThat(Files.readString(HOME.resolve("docker-compose.yml"))).contains("subnet: 172.28.0.0/24", "ip_range: 172.28.0.128/25");
        assertThat(proxyAddress).startsWith("172.28.0.").satisfies(address -> assertThat(Integer.parseInt(address.substring(10))).isLessThan(128));
        assertThat(Files.readString(HOME.resolve("deploy/nginx/nginx.conf"))).contains("resolver 127.0.0.11");
        assertThat(Files.readString(HOME.resolve("deploy/nginx/track-gateway.conf"))).contains("server gateway:3000 resolve;",
                "proxy_request_buffering on;", "proxy_set_header X-Forwarded-For $remote_addr;");
        assertThat(Files.readString(HOME.resolve("deploy/nginx/track-read-apis.conf"))).contains("server consumer-writer:3001 resolve;",
                "server consumer-aggregator:3002 resolve;", "listen 3001;", "listen 3002;");
        for (String service : List.of("gateway", "consumer-writer", "consumer-aggregator")) {
            assertThat(services.get(service).has("ports")).as(service + " publishes no port of its own, so it can be scaled").isFalse();
            assertThat(services.get(service).get("networks").has("edge")).as(service + " is on the proxy's network").isTrue();
            JsonNode edge = services.get(service).get("networks").get("edge");
            assertThat(edge.isNull() || !edge.has("ipv4_address")).as(service + " has no fixed address").isTrue();
        }
    }

    @Test
    void everyServiceEndsOnOutOfMemoryErrorWhereverItRunsAndComposeStartsItAgain() throws Exception {
        String exit = "-XX:+ExitOnOutOfMemoryError";
        JsonNode services = yaml.readTree(Files.readString(HOME.resolve("docker-compose.yml"))).get("services");

        assertThat(ServiceProcess.DEFAULT_JVM_OPTIONS.split(" ")).contains(exit);
        assertThat(Files.readString(HOME.resolve("bin/track"))).contains("${TRACK_SERVICE_JAVA_OPTS:-" + ServiceProcess.DEFAULT_JVM_OPTIONS + "}");
        for (String service : List.of("gateway", "consumer-writer", "consumer-aggregator")) {
            assertThat(Files.readString(HOME.resolve(service).resolve("Dockerfile"))).contains(exit);
            assertThat(services.get(service).get("restart").stringValue()).isEqualTo("unless-stopped");
        }
    }

    /** The services run unprivileged on high ports: a flaw in one finds no capability to use, and none to gain. */
    @Test
    void theServicesRunWithoutCapabilitiesOrAWayToGainPrivileges() throws Exception {
        JsonNode services = yaml.readTree(Files.readString(HOME.resolve("docker-compose.yml"))).get("services");

        for (String service : List.of("gateway", "consumer-writer", "consumer-aggregator")) {
            assertThat(services.get(service).get("cap_drop").valueStream().map(JsonNode::stringValue)).as(service).containsExactly("ALL");
            assertThat(services.get(service).get("security_opt").valueStream().map(JsonNode::stringValue)).as(service)
                    .containsExactly("no-new-privileges:true");
            assertThat(Files.readString(HOME.resolve(service).resolve("Dockerfile"))).as(service + " runs as its own user")
                    .contains("\nUSER track\n");
        }
    }

    @Test
    void grafanaIsProvisionedWithThePrometheusDataSourceAndTheDashboard() throws Exception {
        JsonNode datasource = yaml.readTree(Files.readString(HOME.resolve("deploy/grafana/provisioning/datasources/prometheus.yml")))
                .get("datasources").get(0);
        JsonNode provider = yaml.readTree(Files.readString(HOME.resolve("deploy/grafana/provisioning/dashboards/track-pipeline.yml")))
                .get("providers").get(0);
        String compose = Files.readString(HOME.resolve("docker-compose.yml"));

        assertThat(datasource.get("url").stringValue()).isEqualTo("http://prometheus:9090");
        assertThat(compose).contains("./deploy/grafana/provisioning:/etc/grafana/provisioning:ro",
                "./deploy/grafana/dashboards:" + provider.get("options").get("path").stringValue() + ":ro");
        GrafanaDashboard dashboard = GrafanaDashboard.load();
        assertThat(dashboard.graphPanels()).hasSizeGreaterThanOrEqualTo(12).allSatisfy(panel -> {
            assertThat(panel.get("datasource").get("uid").stringValue()).isEqualTo(datasource.get("uid").stringValue());
            assertThat(panel.get("targets")).isNotEmpty();
            assertThat(panel.get("description").stringValue()).isNotBlank();
        });
        // Every query names its metrics before a label selector, so the running-services check sees them all.
        assertThat(dashboard.queries()).allSatisfy(query -> assertThat(GrafanaDashboard.metricsOf(query)).as(query).isNotEmpty());
        assertThat(dashboard.metrics()).contains("track_ingest_events_total", "track_ingest_publish_seconds_bucket",
                "track_consume_end_to_end_seconds_bucket", "track_consume_write_seconds_bucket", "track_consume_batch_events_sum",
                "kafka_consumer_fetch_manager_records_lag");
    }

    @Test
    void prometheusScrapesEveryServiceOnItsManagementPort() throws IOException {
        JsonNode config = yaml.readTree(Files.readString(HOME.resolve("deploy/prometheus/prometheus.yml")));
        JsonNode job = config.get("scrape_configs").get(0);

        assertThat(job.get("metrics_path").stringValue()).isEqualTo("/actuator/prometheus");
        // every instance of a scaled service, by the addresses Docker's DNS gives its name
        List<String> targets = new java.util.ArrayList<>();
        for (JsonNode names : job.get("dns_sd_configs")) {
            assertThat(names.get("type").stringValue()).isEqualTo("A");
            targets.add(names.get("names").get(0).stringValue() + ":" + names.get("port").asInt());
        }
        assertThat(targets).containsExactlyInAnyOrder("gateway:3010", "consumer-writer:3011", "consumer-aggregator:3012");
    }

    /**
     * Compose knows each service ready when its management port says so: for a consumer that is
     * storing (not stalled) with its store answering (the readiness group of its application.yml).
     */
    @Test
    void composeAsksEveryServiceWhetherItIsReadyOnItsManagementPort() throws IOException {
        JsonNode services = yaml.readTree(Files.readString(HOME.resolve("docker-compose.yml"))).get("services");

        for (Map.Entry<String, Integer> service : Map.of("gateway", 3010, "consumer-writer", 3011, "consumer-aggregator", 3012).entrySet()) {
            List<String> test = yaml.convertValue(services.get(service.getKey()).get("healthcheck").get("test"),
                    yaml.getTypeFactory().constructCollectionType(List.class, String.class));
            assertThat(test).as(service.getKey()).startsWith("CMD", "bash", "-c");
            assertThat(test.get(3)).as(service.getKey())
                    .contains("/dev/tcp/127.0.0.1/" + service.getValue(), "GET /actuator/health/readiness");
        }
        for (String consumer : List.of("consumer-writer", "consumer-aggregator")) {
            assertThat(Files.readString(HOME.resolve(consumer).resolve("src/main/resources/application.yml")))
                    .contains("include: readinessState,consumerProgress,");
        }
    }

    /**
     * The healthcheck commands, run against a management port that answers as Actuator does: the
     * readiness group shows its components (show-details: always), so a DOWN group's body holds
     * {@code "status":"UP"} for its components that are up. Only the 200 of a ready group passes.
     */
    @Test
    void composeHealthchecksPassOnlyWhenTheReadinessGroupIsUp() throws Exception {
        JsonNode services = yaml.readTree(Files.readString(HOME.resolve("docker-compose.yml"))).get("services");
        String down = "{\"status\":\"DOWN\",\"components\":{\"consumerProgress\":{\"status\":\"UP\"},"
                + "\"mongoPing\":{\"status\":\"DOWN\"},\"readinessState\":{\"status\":\"UP\"}}}";
        String up = "{\"status\":\"UP\",\"components\":{\"consumerProgress\":{\"status\":\"UP\"},"
                + "\"mongoPing\":{\"status\":\"UP\"},\"readinessState\":{\"status\":\"UP\"}}}";

        for (Map.Entry<String, Integer> service : Map.of("gateway", 3010, "consumer-writer", 3011, "consumer-aggregator", 3012).entrySet()) {
            List<String> test = yaml.convertValue(services.get(service.getKey()).get("healthcheck").get("test"),
                    yaml.getTypeFactory().constructCollectionType(List.class, String.class));
            assertThat(healthcheck(test.get(3), service.getValue(), 503, down)).as(service.getKey() + " not ready").isNotZero();
            assertThat(healthcheck(test.get(3), service.getValue(), 200, up)).as(service.getKey() + " ready").isZero();
        }
    }

    /** The exit code of a healthcheck's bash command, its management port answered by a stand-in with this status and body. */
    private static int healthcheck(String command, int managementPort, int status, String body) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/actuator/health/readiness", exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/vnd.spring-boot.actuator.v3+json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        try {
            String local = command.replace("/dev/tcp/127.0.0.1/" + managementPort + " ", "/dev/tcp/127.0.0.1/" + server.getAddress().getPort() + " ");
            assertThat(local).isNotEqualTo(command);
            Process bash = new ProcessBuilder("bash", "-c", local).redirectErrorStream(true).start();
            assertThat(bash.waitFor(60, TimeUnit.SECONDS)).as("the healthcheck ends").isTrue();
            return bash.exitValue();
        } finally {
            server.stop(0);
        }
    }

    /** Runs docker-compose; skipped where it is not installed, unless CI demands it (TRACK_REQUIRE_DOCKER_COMPOSE). */
    private static String dockerCompose(String... args) throws Exception {
        boolean installed = Files.isExecutable(Path.of("/usr/bin/docker-compose"))
                || Files.isExecutable(Path.of("/usr/local/bin/docker-compose"));
        if (!"true".equals(System.getenv("TRACK_REQUIRE_DOCKER_COMPOSE"))) {
            assumeTrue(installed, "docker-compose is not installed (Debian package docker-compose); compose file not validated");
        }
        ProcessBuilder builder = new ProcessBuilder(concat("docker-compose", args)).directory(HOME.toFile()).redirectErrorStream(true);
        builder.environment().putAll(Map.of("COMPOSE_PROJECT_NAME", "track-pipeline"));
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }

    private static String[] concat(String first, String... rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
