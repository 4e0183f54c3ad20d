package dev.trackpipeline.infra;

import java.util.ArrayList;
import java.util.List;

/**
 * One KRaft node, broker and controller, and where it listens.
 *
 * @param id             its {@code node.id}, from 1
 * @param port           where clients and the other brokers reach it
 * @param controllerPort where the quorum's controllers reach it
 */
public record KafkaNode(int id, String host, int port, int controllerPort) {

    /**
     * The nodes of a cluster of {@code count} on consecutive port pairs from the first node's: node
     * n listens on {@code port + 2(n-1)} and {@code controllerPort + 2(n-1)}, so the defaults
     * (19092 and 19093) give 19092/19093, 19094/19095, 19096/19097.
     */
    public static List<KafkaNode> cluster(int count, String host, int port, int controllerPort) {
        List<KafkaNode> nodes = new ArrayList<>();
        java.util.Set<Integer> ports = new java.util.HashSet<>();
        for (int index = 0; index < count; index++) {
            KafkaNode node = new KafkaNode(index + 1, host, port + 2 * index, controllerPort + 2 * index);
            if (!ports.add(node.port()) || !ports.add(node.controllerPort())) {
                throw new IllegalArgumentException("Kafka ports collide: " + count + " brokers from --kafka-port " + port
                        + " and --kafka-controller-port " + controllerPort + " take ports " + port + ", " + (port + 2) + "... and "
                        + controllerPort + ", " + (controllerPort + 2) + "...; choose a controller port of the other parity, or "
                        + 2 * count + " apart");
            }
            nodes.add(node);
        }
        return nodes;
    }

    /** The nodes of a cluster on free ports, for tests. */
    public static List<KafkaNode> onFreePorts(int count, String host) {
        List<KafkaNode> nodes = new ArrayList<>();
        for (int index = 0; index < count; index++) {
            nodes.add(new KafkaNode(index + 1, host, FreePorts.one(), FreePorts.one()));
        }
        return nodes;
    }

    public String address() {
        return host + ":" + port;
    }

    /** As the node's command line names it: {@code id@host:port:controllerPort}. */
    @Override
    public String toString() {
        return id + "@" + host + ":" + port + ":" + controllerPort;
    }

    public static KafkaNode parse(String text) {
        String[] idAndRest = text.split("@", 2);
        String[] parts = idAndRest[1].split(":");
        if (parts.length != 3) {
            throw new IllegalArgumentException("a Kafka node is id@host:port:controllerPort, got " + text);
        }
        return new KafkaNode(Integer.parseInt(idAndRest[0]), parts[0], Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
    }
}
