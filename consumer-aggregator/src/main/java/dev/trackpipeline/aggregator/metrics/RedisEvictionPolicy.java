package dev.trackpipeline.aggregator.metrics;

import dev.trackpipeline.aggregator.AggregatorProperties;
import dev.trackpipeline.runtime.StartRequirement;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Redis must keep every key until it expires: a progress marker or a remembered event id evicted
 * to make room lets a redelivered event be counted twice, and a bucket evicted loses its counts,
 * without a word. Every {@code maxmemory-policy} but {@code noeviction} evicts, the
 * {@code volatile-*} ones too (every key of the aggregator has an expiry). With
 * {@code noeviction}, a full Redis refuses writes ({@code OOM}), which the aggregator waits out as
 * an outage. A managed Redis that hides {@code CONFIG} cannot be asked: then a warning says to
 * check by hand. On a Redis Cluster every node is asked, replicas too: each may be promoted.
 */
public final class RedisEvictionPolicy implements StartRequirement {

    static final String KEEPS_EVERY_KEY = "noeviction";
    private static final String SETTING = "maxmemory-policy";
    private static final Logger log = LoggerFactory.getLogger(RedisEvictionPolicy.class);

    private final RedisClientSettings client;
    private final AggregatorProperties.Redis settings;

    public RedisEvictionPolicy(RedisClientSettings client) {
        this.client = client;
        this.settings = client.redis();
    }

    @Override
    public String subject() {
        return "Redis's " + SETTING;
    }

    /**
     * Asked with {@code CONFIG GET}, or where that is refused or renamed (managed Redis services
     * hide it, and often default to an evicting policy), read from {@code INFO memory}. A server
     * loading its data, busy or refusing the login has not answered yet: asked again later.
     */
    @Override
    public Optional<String> unmet() throws Unanswered {
        Map<String, String> evicting = new TreeMap<>();
        List<HostAndPort> nodes;
        try {
            nodes = nodes();
        } catch (ClusterNodeTable.NotACluster wrongSetting) {
            return Optional.of(wrongSetting.getMessage());
        }
        Optional<String> clusterNode = settings.cluster() ? Optional.empty() : aClusterNodeAsASingleServer(nodes.get(0));
        if (clusterNode.isPresent()) {
            return clusterNode;
        }
        for (HostAndPort node : nodes) {
            String policy = policyOf(node);
            if (policy != null && !KEEPS_EVERY_KEY.equals(policy)) {
                evicting.put(node.toString(), policy);
            }
        }
        if (evicting.isEmpty()) {
            return Optional.empty();
        }
        String evicts = (!settings.cluster() ? "Redis at " : evicting.size() == 1 ? "Redis Cluster node " : "Redis Cluster nodes ") + String.join(", ", evicting.keySet())
                + (evicting.size() == 1 ? " evicts" : " evict") + " keys when full (" + SETTING + " "
                + String.join(", ", new LinkedHashSet<>(evicting.values())) + "): it could evict the aggregator's "
                + "progress markers and remembered event ids, and redelivered events would be counted twice";
        if (settings.allowEviction()) {
            log.warn("{}; counting anyway, as REDIS_ALLOW_EVICTION (track.aggregator.redis.allow-eviction) allows", evicts);
            return Optional.empty();
        }
        return Optional.of(evicts + ". Set " + SETTING + " " + KEEPS_EVERY_KEY + " (redis-cli CONFIG SET " + SETTING + " "
                + KEEPS_EVERY_KEY + ", and in redis.conf so that it outlasts a restart" + (settings.cluster() ? ", on every node" : "")
                + "), or set REDIS_ALLOW_EVICTION=true (track.aggregator.redis.allow-eviction) to count anyway");
    }

    /**
     * The single server, or every node of the cluster as the first seed node that answers lists
     * them but those the cluster agrees have failed (asked at the next start); the seeds alone
     * when the aggregator may not list them (a warning says so).
     */
    private List<HostAndPort> nodes() throws Unanswered, ClusterNodeTable.NotACluster {
        if (!settings.cluster()) {
            return List.of(new HostAndPort(settings.host(), settings.port()));
        }
        try {
            return ClusterNodeTable.of(client).nodes().stream().filter(node -> !node.gone()).map(ClusterNodeTable.Node::address).toList();
        } catch (ClusterNodeTable.NotAllowed refused) {
            log.warn("The aggregator's Redis user may not list the cluster's nodes (CLUSTER NODES: {}): only the seed nodes of "
                    + "REDIS_CLUSTER_NODES are checked for their {}", refused.getMessage(), SETTING);
            return settings.clusterNodes().stream().map(HostAndPort::from).toList();
        }
    }

    /**
     * REDIS_HOST naming a node of a Redis Cluster: the projects whose slots another node serves
     * would be refused (MOVED) for good while the others count. A server that may not tell
     * ({@code INFO} refused) is taken at its word.
     */
    private Optional<String> aClusterNodeAsASingleServer(HostAndPort server) throws Unanswered {
        try (Connection connection = new Connection(server, client.config())) {
            if ("1".equals(ServerInfo.of(connection, "cluster").get("cluster_enabled"))) {
                return Optional.of("REDIS_HOST and REDIS_PORT (track.aggregator.redis.host, port) name " + server + ", a node of a "
                        + "Redis Cluster: set REDIS_CLUSTER_NODES to it (and any other nodes) so that each project's keys go to the "
                        + "node that serves them");
            }
            return Optional.empty();
        } catch (JedisDataException refused) {
            return Optional.empty();
        } catch (JedisException e) {
            throw new Unanswered("Redis at " + server + " did not answer: " + e.getMessage(), e);
        }
    }

    /** One node's policy; null when it may not tell (said in a warning). */
    private String policyOf(HostAndPort node) throws Unanswered {
        String policy;
        try (Connection connection = new Connection(node, client.config())) {
            policy = askedOrRead(connection);
        } catch (JedisDataException e) {
            if (!cannotBeAsked(e)) {
                throw new Unanswered("Redis at " + node + " did not answer: " + e.getMessage(), e);
            }
            log.warn("Redis at {} did not tell its {} ({}): make sure it is {}, or redelivered events may be counted twice",
                    node, SETTING, e.getMessage(), KEEPS_EVERY_KEY);
            return null;
        } catch (JedisException e) {
            throw new Unanswered("Redis at " + node + " did not answer: " + e.getMessage(), e);
        }
        if (policy == null) {
            log.warn("Redis at {} answered no {}: make sure it is {}, or redelivered events may be counted twice",
                    node, SETTING, KEEPS_EVERY_KEY);
        }
        return policy;
    }

    private static String askedOrRead(Connection connection) {
        try {
            connection.sendCommand(Protocol.Command.CONFIG, "GET", SETTING);
            return valueOf(connection.getOne());
        } catch (JedisDataException e) {
            if (!cannotBeAsked(e)) {
                throw e;
            }
            return ServerInfo.of(connection, "memory").get("maxmemory_policy");
        }
    }

    /** Refused for want of a right, or a command renamed away: asking again will not help. */
    static boolean cannotBeAsked(JedisDataException refusal) {
        return RedisOutages.isUnauthorized(refusal)
                || String.valueOf(refusal.getMessage()).toLowerCase(Locale.ROOT).contains("unknown command");
    }

    /** CONFIG GET answers the names it matched, each followed by its value: none when the server has no such setting. */
    private static String valueOf(Object answer) {
        if (answer instanceof List<?> pairs && pairs.size() >= 2 && pairs.get(1) instanceof byte[] value) {
            return new String(value, StandardCharsets.UTF_8);
        }
        return null;
    }
}
