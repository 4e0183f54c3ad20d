package dev.trackpipeline.launcher;

import dev.trackpipeline.infra.EmbeddedRedisCluster;
import dev.trackpipeline.infra.InfrastructureSettings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * The ports {@code bin/track} is about to listen on, checked before anything starts: a port in
 * use would otherwise end a service minutes later in a log. Each names what listens there and the
 * option and variable that move it.
 */
final class PortsInUse {

    /** A port to listen on, what for, and how to choose another. */
    record Use(int port, String what, String option, String variable) {
    }

    private PortsInUse() {
    }

    /** Refuses, naming the first that is taken or given twice, unless every port is free on every address. */
    static void requireFree(List<Use> uses) {
        java.util.Map<Integer, Use> byPort = new java.util.HashMap<>();
        for (Use use : uses) {
            Use other = byPort.putIfAbsent(use.port(), use);
            if (other != null) {
                throw new StartupFailure("port " + use.port() + " is given to both " + other.what() + " (" + other.option() + " or "
                        + other.variable() + ") and " + use.what() + " (" + use.option() + " or " + use.variable() + "): give each "
                        + "a port of its own");
            }
        }
        for (Use use : uses) {
            try (ServerSocket socket = new ServerSocket()) {
                // as the servers bind: a port whose last connections linger (TIME_WAIT) is free, one listened on is not
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(use.port()));
            } catch (IOException taken) {
                throw new StartupFailure("port " + use.port() + " (" + use.what() + ") is in use: stop what holds it, or choose "
                        + "another with " + use.option() + " or " + use.variable());
            }
        }
    }

    /** The ports of the embedded servers these settings start (none of those the environment names instead). */
    static List<Use> ofInfrastructure(InfrastructureSettings settings) {
        List<Use> uses = new ArrayList<>();
        if (settings.external().kafkaBootstrapServers().isEmpty()) {
            for (int broker = 0; broker < settings.kafkaBrokers(); broker++) {
                uses.add(new Use(settings.kafkaPort() + 2 * broker, "embedded Kafka", "--kafka-port", "TRACK_KAFKA_PORT"));
                uses.add(new Use(settings.kafkaControllerPort() + 2 * broker, "embedded Kafka's controller", "--kafka-controller-port",
                        "TRACK_KAFKA_CONTROLLER_PORT"));
            }
        }
        if (settings.external().mongoUri().isEmpty()) {
            uses.add(new Use(settings.mongoPort(), "the embedded MongoDB-wire server", "--mongo-port", "TRACK_MONGO_PORT"));
        }
        if (settings.external().redis().isEmpty()) {
            for (int port : settings.redisCluster() ? settings.redisClusterPorts() : List.of(settings.redisPort())) {
                uses.add(new Use(port, "embedded Redis", "--redis-port", "TRACK_REDIS_PORT"));
                if (settings.redisCluster()) {
                    uses.add(new Use(port + EmbeddedRedisCluster.BUS_PORT_OFFSET, "embedded Redis's cluster bus", "--redis-port",
                            "TRACK_REDIS_PORT"));
                }
            }
        }
        return uses;
    }

    /** The API and management port of each service. */
    static List<Use> ofServices(ServicePorts ports) {
        List<Use> uses = new ArrayList<>();
        for (Service service : Service.values()) {
            String name = service.shortName();
            uses.add(new Use(ports.of(service).api(), "the " + name + "'s API", "--" + name + "-port", service.portVariable()));
            uses.add(new Use(ports.of(service).management(), "the " + name + "'s health and metrics", "--" + name + "-management-port",
                    service.managementPortVariable()));
        }
        return uses;
    }
}
