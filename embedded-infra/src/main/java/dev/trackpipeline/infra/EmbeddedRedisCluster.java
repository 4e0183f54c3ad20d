package dev.trackpipeline.infra;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;
import redis.embedded.core.ExecutableProvider;

/**
 * A real Redis Cluster on this machine: redis-server processes (the binary shipped in
 * embedded-redis) in cluster mode, the 16,384 slots split evenly among the masters, each master
 * with its replicas. A node can be killed (SIGKILL) while the others serve: its replica is
 * promoted once the other masters have missed it for {@link #NODE_TIMEOUT}; started again, it
 * rejoins as a replica of the one that took its place.
 */
public final class EmbeddedRedisCluster implements AutoCloseable {

    public static final int SLOTS = 16_384;
    /** Each node also listens on its port plus this, for the cluster's bus (Redis's rule, not a setting here). */
    public static final int BUS_PORT_OFFSET = 10_000;
    /**
     * How long the masters miss a master before its replica takes over: short, for tests that kill
     * one, and long enough that a loaded machine's pauses do not fail a node over on their own.
     */
    public static final Duration NODE_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration FORMED_WITHIN = Duration.ofSeconds(60);

    private final Path dataDir;
    private final File binary;
    private final String host;
    private final List<Integer> ports;
    private final Map<Integer, Process> running = new ConcurrentSkipListMap<>();
    private final Map<Integer, OrphanGuard> guards = new ConcurrentSkipListMap<>();
    private final Thread killOnExit;

    private EmbeddedRedisCluster(Path dataDir, File binary, String host, List<Integer> ports) {
        this.dataDir = dataDir;
        this.binary = binary;
        this.host = host;
        this.ports = List.copyOf(ports);
        // redis-server does not watch its parent: without this (or the guards, for a JVM killed) they outlive it.
        this.killOnExit = new Thread(() -> {
            guards.values().forEach(OrphanGuard::close);
            running.values().forEach(Process::destroyForcibly);
        }, "redis-cluster-kill-on-exit");
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /**
     * Starts {@code masters × (1 + replicasPerMaster)} nodes on {@code ports} (the masters' first),
     * forms the cluster and returns once every node sees it whole and every replica follows its
     * master.
     */
    public static EmbeddedRedisCluster start(Path dataDir, String host, int masters, int replicasPerMaster, List<Integer> ports) {
        if (masters < 3) {
            throw new IllegalArgumentException("a Redis Cluster needs 3 masters or more to elect a replica in place of one: " + masters);
        }
        int nodes = masters * (1 + replicasPerMaster);
        if (ports.size() != nodes) {
            throw new IllegalArgumentException(nodes + " ports needed, " + ports.size() + " given");
        }
        File binary;
        try {
            Files.createDirectories(dataDir);
            binary = ExecutableProvider.newJarResourceProvider(dataDir.toFile()).get();
        } catch (IOException e) {
            throw new UncheckedIOException("the redis-server binary could not be extracted to " + dataDir, e);
        }
        EmbeddedRedisCluster cluster = new EmbeddedRedisCluster(dataDir, binary, host, ports);
        try {
            ports.forEach(cluster::launch);
            cluster.form(masters);
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** Every node's address, {@code host:port}, masters first: what REDIS_CLUSTER_NODES takes, comma-separated. */
    public List<String> nodes() {
        return ports.stream().map(port -> host + ":" + port).toList();
    }

    public String host() {
        return host;
    }

    /** The port of the master that serves the slot now. */
    public int masterOf(int slot) {
        for (int port : running.keySet()) {
            try (Jedis node = new Jedis(host, port, 2_000)) {
                for (Object range : node.clusterSlots()) {
                    List<?> entry = (List<?>) range;
                    if ((Long) entry.get(0) <= slot && slot <= (Long) entry.get(1)) {
                        return Math.toIntExact((Long) ((List<?>) entry.get(2)).get(1));
                    }
                }
            } catch (JedisException away) {
                // ask the next
            }
        }
        throw new IllegalStateException("no node answered who serves slot " + slot);
    }

    /** The port of a replica of the master at {@code masterPort}, as the cluster sees it now. */
    public int replicaOf(int masterPort) {
        try (Jedis node = new Jedis(host, masterPort, 2_000)) {
            List<String[]> nodes = node.clusterNodes().lines().map(line -> line.split(" ")).toList();
            String masterId = nodes.stream().filter(fields -> fields[2].contains("myself")).findFirst().orElseThrow()[0];
            return nodes.stream().filter(fields -> fields[3].equals(masterId)).findFirst()
                    .map(fields -> Integer.parseInt(fields[1].substring(fields[1].lastIndexOf(':') + 1, fields[1].indexOf('@'))))
                    .orElseThrow(() -> new IllegalStateException("the master at " + masterPort + " has no replica"));
        }
    }

    /** SIGKILL: the node stops as in a crash, with what it had not sent its replicas lost. */
    public void kill(int port) {
        Process process = running.remove(port);
        OrphanGuard guard = guards.remove(port);
        if (guard != null) {
            guard.close();
        }
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * SIGSTOP: the node neither answers nor takes its master's writes until {@link #resume}; the
     * others take it for failed once {@link #NODE_TIMEOUT} has passed.
     */
    public void pause(int port) {
        signal(port, "STOP");
    }

    /** SIGCONT: a paused node carries on where it stopped. */
    public void resume(int port) {
        signal(port, "CONT");
    }

    private void signal(int port, String signal) {
        Process node = running.get(port);
        if (node == null) {
            throw new IllegalStateException("no node runs on port " + port);
        }
        try {
            // the shell's own kill: no procps needed, which a minimal machine may lack
            int exit = new ProcessBuilder("sh", "-c", "kill -" + signal + " " + node.pid()).inheritIO().start().waitFor();
            if (exit != 0) {
                throw new IllegalStateException("kill -" + signal + " " + node.pid() + " exited with " + exit);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Starts a node killed before, on its cluster configuration, and returns once it answers. */
    public void restart(int port) {
        kill(port);
        launch(port);
    }

    /**
     * Waits until the cluster is whole again (after a failover, say): every running node says so
     * ({@code cluster_state:ok}), every master has a replica, and every replica follows its master.
     */
    public void awaitHealthy(Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!running.keySet().stream().allMatch(this::seesTheClusterWhole) || !everyMasterHasAFollowingReplica()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the Redis Cluster was not whole within " + within.toSeconds() + " s");
            }
            pause();
        }
    }

    private boolean everyMasterHasAFollowingReplica() {
        for (int port : running.keySet()) {
            try (Jedis node = new Jedis(host, port, 2_000)) {
                List<String[]> nodes = node.clusterNodes().lines().map(line -> line.split(" ")).toList();
                for (String[] master : nodes) {
                    boolean servesSlots = master.length > 8 && master[2].contains("master") && !master[2].contains("fail");
                    if (servesSlots && nodes.stream().noneMatch(replica -> replica[3].equals(master[0]) && !replica[2].contains("fail"))) {
                        return false;
                    }
                }
                if (node.info("replication").contains("role:slave") && !followsItsMaster(port)) {
                    return false;
                }
            } catch (JedisException away) {
                return false;
            }
        }
        return true;
    }

    private void launch(int port) {
        Path nodeDir = dataDir.resolve("node-" + port);
        try {
            Files.createDirectories(nodeDir);
            Process process = new ProcessBuilder(binary.getAbsolutePath(), "--port", String.valueOf(port), "--bind", host,
                    "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                    "--cluster-node-timeout", String.valueOf(NODE_TIMEOUT.toMillis()), "--dir", nodeDir.toString(),
                    "--appendonly", "no", "--save", "", "--protected-mode", "no")
                    .redirectErrorStream(true)
                    .redirectOutput(nodeDir.resolve("redis.log").toFile())
                    .start();
            running.put(port, process);
            guards.put(port, OrphanGuard.watch(process));
        } catch (IOException e) {
            throw new UncheckedIOException("redis-server could not be started on port " + port, e);
        }
        long deadline = System.nanoTime() + FORMED_WITHIN.toNanos();
        while (true) {
            try (Jedis node = new Jedis(host, port, 1_000)) {
                String server = node.info("server");
                // a node left from an earlier run (its JVM killed before it could stop them) answers too
                long ours = running.get(port).pid();
                if (server.lines().noneMatch(line -> line.trim().equals("process_id:" + ours))) {
                    throw new IllegalStateException("port " + port + " is held by another redis-server (" + server.lines()
                            .filter(line -> line.startsWith("process_id:")).findFirst().orElse("process unknown") + "), left from an "
                            + "earlier run perhaps: stop it, or choose other ports");
                }
                return;
            } catch (JedisException notYet) {
                if (!running.get(port).isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("redis-server did not start on " + host + ":" + port + "; see "
                            + nodeDir.resolve("redis.log"), notYet);
                }
                pause();
            }
        }
    }

    /** Introduces every node to the first, gives each master its share of slots, then each replica its master. */
    private void form(int masters) {
        List<String> ids = new ArrayList<>();
        for (int port : ports) {
            try (Jedis node = new Jedis(host, port, 5_000)) {
                ids.add(node.clusterMyId());
            }
        }
        try (Jedis first = new Jedis(host, ports.get(0), 5_000)) {
            ports.subList(1, ports.size()).forEach(port -> first.clusterMeet(host, port));
        }
        for (int master = 0; master < masters; master++) {
            int from = SLOTS * master / masters;
            int to = SLOTS * (master + 1) / masters;
            try (Jedis node = new Jedis(host, ports.get(master), 5_000)) {
                node.clusterAddSlots(IntStream.range(from, to).toArray());
            }
        }
        long deadline = System.nanoTime() + FORMED_WITHIN.toNanos();
        while (!ports.stream().allMatch(port -> knowsEveryNode(port, ids.size()))) {
            awaitUntil(deadline, "the Redis Cluster's nodes did not meet");
        }
        for (int replica = masters; replica < ports.size(); replica++) {
            try (Jedis node = new Jedis(host, ports.get(replica), 5_000)) {
                node.clusterReplicate(ids.get(replica % masters));
            }
        }
        while (!ports.stream().allMatch(this::seesTheClusterWhole)
                || !ports.subList(masters, ports.size()).stream().allMatch(this::followsItsMaster)) {
            awaitUntil(deadline, "the Redis Cluster did not form");
        }
    }

    private boolean knowsEveryNode(int port, int nodes) {
        try (Jedis node = new Jedis(host, port, 2_000)) {
            return node.clusterNodes().lines().filter(line -> !line.contains("handshake")).count() == nodes;
        } catch (JedisException away) {
            return false;
        }
    }

    private boolean seesTheClusterWhole(int port) {
        try (Jedis node = new Jedis(host, port, 2_000)) {
            return node.clusterInfo().contains("cluster_state:ok");
        } catch (JedisException away) {
            return false;
        }
    }

    private boolean followsItsMaster(int port) {
        try (Jedis node = new Jedis(host, port, 2_000)) {
            return node.info("replication").contains("master_link_status:up");
        } catch (JedisException away) {
            return false;
        }
    }

    private static void awaitUntil(long deadline, String failure) {
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException(failure + " within " + FORMED_WITHIN.toSeconds() + " s");
        }
        pause();
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        List.copyOf(running.keySet()).forEach(this::kill);
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }
}
