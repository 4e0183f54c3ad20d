package dev.trackpipeline.aggregator.metrics;

import dev.trackpipeline.aggregator.AggregatorProperties;
import dev.trackpipeline.runtime.StartRequirement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * REDIS_WAIT_REPLICAS asks that each batch's writes reach that many replicas of the master that
 * took them before the batch counts as done ({@link RedisMetricsStore}); a master with fewer
 * replicas fails every batch as an outage, with nothing but outage warnings to say why. Asked
 * at start, when replicas are asked for at all: a Redis Cluster master with fewer replicas than
 * asked is refused, with the setting to change. Replicas there but away (failed, or not linked to
 * their master) are waited for, as the batches wait for them: the question stays open and is
 * asked again. A single server tells only of the replicas connected to it, so fewer there is
 * waited for too.
 */
public final class RedisReplicas implements StartRequirement {

    private static final Logger log = LoggerFactory.getLogger(RedisReplicas.class);

    private final RedisClientSettings client;
    private final AggregatorProperties.Redis settings;

    public RedisReplicas(RedisClientSettings client) {
        this.client = client;
        this.settings = client.redis();
    }

    @Override
    public String subject() {
        return "The replicas REDIS_WAIT_REPLICAS asks for";
    }

    @Override
    public Optional<String> unmet() throws Unanswered {
        int asked = settings.replicasToAcknowledge();
        if (asked == 0) {
            return Optional.empty();
        }
        return settings.cluster() ? unmetInTheCluster(asked) : unmetOnTheServer(asked);
    }

    private Optional<String> unmetInTheCluster(int asked) throws Unanswered {
        ClusterNodeTable table;
        try {
            table = ClusterNodeTable.of(client);
        } catch (ClusterNodeTable.NotACluster wrongSetting) {
            // the eviction policy's check says so, with the setting to change
            return Optional.empty();
        } catch (ClusterNodeTable.NotAllowed refused) {
            log.warn("The aggregator's Redis user may not list the cluster's nodes (CLUSTER NODES: {}): whether every master has the {} "
                    + "replicas REDIS_WAIT_REPLICAS asks for is not checked; a master with fewer fails every batch as an outage",
                    refused.getMessage(), asked);
            return Optional.empty();
        }
        return unmetIn(table, asked);
    }

    /**
     * Refused only while the table is steady ({@link ClusterNodeTable#steady}): during a failover
     * the promoted master has no replica until the old one follows it, which is no reason to stop.
     */
    static Optional<String> unmetIn(ClusterNodeTable table, int asked) throws Unanswered {
        List<String> without = new ArrayList<>();
        List<String> away = new ArrayList<>();
        for (ClusterNodeTable.Node master : table.servingMasters()) {
            List<ClusterNodeTable.Node> replicas = table.replicasOf(master);
            long following = replicas.stream().filter(replica -> replica.following(master)).count();
            if (replicas.size() < asked) {
                without.add(master.address() + " (" + replicas.size() + ")");
            } else if (following < asked) {
                away.add(master.address() + " (" + following + " of " + replicas.size() + " following it)");
            }
        }
        String setting = "REDIS_WAIT_REPLICAS (track.aggregator.redis.replicas-to-acknowledge)";
        if (!without.isEmpty() && table.steady()) {
            return Optional.of(setting + " asks each batch's writes to reach " + asked + " replica" + (asked == 1 ? "" : "s")
                    + " of their master, but Redis Cluster " + (without.size() == 1 ? "master " : "masters ") + String.join(", ", without)
                    + (without.size() == 1 ? " has" : " have") + " fewer: every batch would wait for good. Add replicas (redis-cli "
                    + "--cluster add-node --cluster-slave), or lower REDIS_WAIT_REPLICAS to the fewest replicas a master has (0 counts "
                    + "without waiting for any)");
        }
        if (!without.isEmpty() || !away.isEmpty()) {
            List<String> shortOf = new ArrayList<>(without);
            shortOf.addAll(away);
            throw new Unanswered("Redis Cluster " + (shortOf.size() == 1 ? "master " : "masters ") + String.join(", ", shortOf)
                    + (shortOf.size() == 1 ? " has" : " have") + " fewer replicas following than the " + asked + " " + setting
                    + " asks for" + (table.steady() ? "" : ", while the cluster changes (a node failed or joining, or a slot moving)")
                    + ": batches wait until enough follow. A replica gone for good stays listed until CLUSTER FORGET: then add a "
                    + "replica, or lower REDIS_WAIT_REPLICAS", null);
        }
        return Optional.empty();
    }

    private Optional<String> unmetOnTheServer(int asked) throws Unanswered {
        HostAndPort server = new HostAndPort(settings.host(), settings.port());
        Map<String, String> replication;
        try (Connection connection = new Connection(server, client.config())) {
            replication = ServerInfo.of(connection, "replication");
        } catch (JedisDataException refused) {
            if (!RedisEvictionPolicy.cannotBeAsked(refused)) {
                throw new Unanswered("Redis at " + server + " did not answer: " + refused.getMessage(), refused);
            }
            log.warn("Redis at {} did not tell its replicas (INFO replication: {}): whether it has the {} REDIS_WAIT_REPLICAS asks for "
                    + "is not checked; with fewer, every batch fails as an outage", server, refused.getMessage(), asked);
            return Optional.empty();
        } catch (JedisException e) {
            throw new Unanswered("Redis at " + server + " did not answer: " + e.getMessage(), e);
        }
        int connected = Integer.parseInt(replication.getOrDefault("connected_slaves", "0"));
        if (connected < asked) {
            throw new Unanswered("Redis at " + server + " has " + connected + " replica" + (connected == 1 ? "" : "s") + " connected, "
                    + "fewer than the " + asked + " REDIS_WAIT_REPLICAS (track.aggregator.redis.replicas-to-acknowledge) asks for: "
                    + "every batch waits until enough are; if it has no more, lower REDIS_WAIT_REPLICAS", null);
        }
        return Optional.empty();
    }
}
