package dev.trackpipeline.infra;

import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for servers that tests and benchmarks are about to start, safe from the two ways a port
 * that was free when chosen gets taken before its server binds it:
 * <ul>
 *   <li>another JVM on the machine choosing it too (test forks run side by side, and so do
 *       modules' suites): every port handed out is claimed by a lock on a file named after it
 *       (in a directory of the user's own under the temporary directory), held until this JVM
 *       exits, and the other JVMs pass over a port whose file is locked;</li>
 *   <li>an outgoing connection's local port (the Kafka clients open many): the ports come from
 *       below the kernel's ephemeral range (32768 and up on Linux, 49152 and up elsewhere), which
 *       the kernel never gives to outgoing connections. The OS's own choice ({@code new
 *       ServerSocket(0)}) comes from that range, which is why it is not used.</li>
 * </ul>
 * A port is never handed out twice by one JVM, so callers need not tell which ports they hold.
 *
 * <p>The claims live as long as the JVM, which is why they are held here, once per process: a
 * lock released earlier would let another JVM take a port a server of this one still means to bind.
 */
public final class FreePorts {

    /** The lowest port handed out: above the well-known and most registered ports. */
    static final int FIRST = 10_000;
    /**
     * One past the highest: a Redis Cluster node's bus port ({@link EmbeddedRedisCluster#BUS_PORT_OFFSET}
     * above its own) must stay below the ephemeral range too.
     */
    static final int END = 22_000;

    /** Each JVM starts somewhere else in the range, so that JVMs rarely even try the same port. */
    private static final PortClaims MACHINE = new PortClaims(
            Path.of(System.getProperty("java.io.tmpdir"), "track-pipeline-ports-" + System.getProperty("user.name")),
            FIRST, END, FIRST + ThreadLocalRandom.current().nextInt(END - FIRST));

    private FreePorts() {
    }

    /** One free port. */
    public static int one() {
        return MACHINE.claim(1, 0);
    }

    /** The first of {@code count} free ports in a row: for a cluster whose nodes count their ports up. */
    public static int inARow(int count) {
        return MACHINE.claim(count, 0);
    }

    /**
     * The first of {@link InfrastructureSettings#REDIS_CLUSTER_NODES} ports in a row for a Redis
     * Cluster: each node also listens on its port plus {@value EmbeddedRedisCluster#BUS_PORT_OFFSET}
     * for the cluster's bus, so those are claimed too.
     */
    public static int forRedisCluster() {
        return MACHINE.claim(InfrastructureSettings.REDIS_CLUSTER_NODES, EmbeddedRedisCluster.BUS_PORT_OFFSET);
    }
}
