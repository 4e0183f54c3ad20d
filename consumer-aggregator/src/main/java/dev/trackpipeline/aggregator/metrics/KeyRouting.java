package dev.trackpipeline.aggregator.metrics;

import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;
import java.util.List;
import redis.clients.jedis.exceptions.JedisClusterOperationException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisRedirectionException;
import redis.clients.jedis.providers.ClusterConnectionProvider;
import redis.clients.jedis.util.JedisClusterCRC16;
import redis.clients.jedis.util.Pool;

/**
 * Which node serves a key, and a connection to that node. The counting sends each node its
 * scripts and then one {@code WAIT} on one connection of its own: {@code WAIT} counts the replicas
 * holding what that connection wrote, so it must follow the writes on their connection, which a
 * pipeline that picks each command's node anew cannot promise while the slot map changes.
 */
public sealed interface KeyRouting {

    HostAndPort nodeOf(String key);

    /** A pooled connection to the node, given back when closed. */
    Connection connectionTo(HostAndPort node);

    /** After a failure: ask the cluster again which node serves which slots (a failover moves them). */
    void renew();

    /**
     * Renews the slot map after a failure that says the cluster may have changed (a node away or
     * demoted, slots moved or unserved), not after one about the command (rights, memory, data):
     * each renewal asks the seed nodes anew.
     */
    static void renewAfter(KeyRouting routing, JedisException failure) {
        String error = String.valueOf(failure.getMessage());
        boolean moved = failure instanceof JedisConnectionException || failure instanceof JedisClusterOperationException
                || failure instanceof JedisRedirectionException
                || TOPOLOGY_ERRORS.stream().anyMatch(code -> error.startsWith(code + " "))
                || error.contains("cannot be used with replica");
        if (!moved) {
            return;
        }
        try {
            routing.renew();
        } catch (RuntimeException unanswered) {
            failure.addSuppressed(unanswered);
        }
    }

    /** Redis's error codes of a cluster in flux. */
    List<String> TOPOLOGY_ERRORS = List.of("CLUSTERDOWN", "READONLY", "TRYAGAIN", "MASTERDOWN");

    /** One server serves every key. */
    record OneServer(HostAndPort address, Pool<Connection> pool) implements KeyRouting {

        @Override
        public HostAndPort nodeOf(String key) {
            return address;
        }

        @Override
        public Connection connectionTo(HostAndPort node) {
            return pool.getResource();
        }

        @Override
        public void renew() {
            // one server: nothing moves
        }
    }

    /**
     * A Redis Cluster's slot map, as the client last learnt it: renewed after a failure, not on a
     * timer (a refresh thread per client would dial the seeds every period, and one started while
     * the cluster is away could not be stopped).
     */
    record ClusterSlots(ClusterConnectionProvider provider) implements KeyRouting {

        @Override
        public HostAndPort nodeOf(String key) {
            HostAndPort node = provider.getNode(JedisClusterCRC16.getSlot(key));
            if (node == null) {
                throw new JedisClusterOperationException("no Redis Cluster node serves the slot of " + key);
            }
            return node;
        }

        @Override
        public Connection connectionTo(HostAndPort node) {
            return provider.getConnection(node);
        }

        @Override
        public void renew() {
            provider.renewSlotCache();
        }
    }
}
