package dev.trackpipeline.aggregator.metrics;

import dev.trackpipeline.runtime.StartRequirement.Unanswered;
import java.util.List;
import java.util.Set;
import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.util.SafeEncoder;

/**
 * A Redis Cluster's nodes as the first seed of REDIS_CLUSTER_NODES that answers lists them
 * ({@code CLUSTER NODES}), for the start checks that ask every node ({@link RedisEvictionPolicy})
 * or count each master's replicas ({@link RedisReplicas}).
 */
record ClusterNodeTable(List<Node> nodes) {

    /**
     * One line of {@code CLUSTER NODES}: {@code <id> <host:port@cluster-port[,hostname]> <flags>
     * <master id or -> <ping sent> <pong received> <epoch> <link state> [<slot ranges>...]}.
     */
    record Node(String id, HostAndPort address, Set<String> flags, String masterId, boolean linked, boolean servesSlots,
                boolean slotsOnTheMove) {

        /** Slot ranges such as {@code 0-5460} or {@code 42}; a slot on the move is bracketed ({@code [93->-<node id>]}). */
        static Node of(String line) {
            String[] fields = line.split(" ");
            List<String> slots = List.of(fields).subList(Math.min(8, fields.length), fields.length);
            return new Node(fields[0], HostAndPort.from(fields[1].substring(0, fields[1].indexOf('@'))), Set.of(fields[2].split(",")),
                    fields[3], fields[7].equals("connected"), slots.stream().anyMatch(range -> !range.startsWith("[")),
                    slots.stream().anyMatch(range -> range.startsWith("[")));
        }

        /** Failed as the cluster agrees, without an address or still shaking hands; one only suspected (fail?) is not. */
        boolean gone() {
            return flags.contains("fail") || flags.contains("noaddr") || flags.contains("handshake");
        }

        boolean master() {
            return flags.contains("master");
        }

        /** Answering its master now: neither gone nor suspected, and linked. */
        boolean following(Node master) {
            return masterId.equals(master.id()) && !gone() && !flags.contains("fail?") && linked;
        }
    }

    /** A seed of REDIS_CLUSTER_NODES that is a single server: the setting is wrong, and no wait will mend it. */
    static final class NotACluster extends Exception {
        NotACluster(String seed) {
            super("REDIS_CLUSTER_NODES (track.aggregator.redis.cluster-nodes) names " + seed + ", a Redis server that is not part of a "
                    + "cluster (cluster support disabled): for a single server, unset REDIS_CLUSTER_NODES and set REDIS_HOST and "
                    + "REDIS_PORT");
        }
    }

    /** The aggregator's Redis user may not list the cluster's nodes. */
    static final class NotAllowed extends Exception {
        NotAllowed(JedisDataException refusal) {
            super(refusal.getMessage(), refusal);
        }
    }

    /**
     * @throws NotACluster a seed is a single server
     * @throws NotAllowed  CLUSTER NODES refused for want of a right
     * @throws Unanswered  no seed answered
     */
    static ClusterNodeTable of(RedisClientSettings client) throws NotACluster, NotAllowed, Unanswered {
        JedisException last = null;
        for (String seed : client.redis().clusterNodes()) {
            try (Connection connection = new Connection(HostAndPort.from(seed), client.config())) {
                connection.sendCommand(Protocol.Command.CLUSTER, "NODES");
                String table = SafeEncoder.encode((byte[]) connection.getOne());
                return new ClusterNodeTable(table.lines().filter(line -> !line.isBlank()).map(Node::of).toList());
            } catch (JedisDataException refused) {
                if (String.valueOf(refused.getMessage()).contains("cluster support disabled")) {
                    throw new NotACluster(seed);
                }
                if (RedisOutages.isUnauthorized(refused)) {
                    throw new NotAllowed(refused);
                }
                last = refused;
            } catch (JedisException e) {
                last = e;
            }
        }
        throw new Unanswered(client.redis().where() + " did not answer: " + (last == null ? "no node" : last.getMessage()), last);
    }

    /**
     * Neither failed, suspected, nor joining, and no slot on the move: what the table says of the
     * cluster's shape then holds beyond the moment (after a failover the promoted master has no
     * replica until the old one, listed failed meanwhile, follows it). A node brackets the slots
     * moving to or from itself only, so a slot moving between two other nodes is not seen here.
     */
    boolean steady() {
        return nodes.stream().noneMatch(node -> node.gone() || node.flags().contains("fail?") || !node.linked() || node.slotsOnTheMove());
    }

    /** The masters that serve slots, those the cluster does not agree have failed. */
    List<Node> servingMasters() {
        return nodes.stream().filter(node -> node.master() && node.servesSlots() && !node.gone()).toList();
    }

    /** Every replica listed for the master, whatever its state. */
    List<Node> replicasOf(Node master) {
        return nodes.stream().filter(node -> node.masterId().equals(master.id())).toList();
    }
}
