package dev.trackpipeline.infra;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One node of an {@link EmbeddedKafkaCluster}, in a process of its own so that it can be killed
 * alone: {@code <log dir> <its id> <node>...}, each node as {@code id@host:port:controllerPort}
 * ({@link KafkaNode#toString()}). Prints {@value #READY} once the broker is part of the cluster;
 * SIGTERM stops it cleanly, SIGKILL as a crash would. It also stops when its standard input ends:
 * that is its parent's pipe, closed when the parent dies however it dies, so no broker outlives
 * the infrastructure that started it, not even one still starting.
 */
public final class KafkaNodeMain {

    static final String READY = "kafka node ready";
    /**
     * A clean stop moves the node's leaderships first, which waits on a quorum the other nodes,
     * stopping too, may no longer make up; past this the process ends anyway, as a crash would.
     */
    private static final long STOP_WITHIN_SECONDS = 20;

    private KafkaNodeMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length < 3) {
            System.err.println("usage: KafkaNodeMain <log dir> <node id> <node>... (each node id@host:port:controllerPort)");
            System.exit(2);
        }
        stopWhenTheParentIsGone();
        Path logDir = Path.of(args[0]);
        int id = Integer.parseInt(args[1]);
        List<KafkaNode> quorum = Arrays.stream(args, 2, args.length).map(KafkaNode::parse).toList();
        KafkaNode self = quorum.stream().filter(node -> node.id() == id).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("node " + id + " is not in the quorum " + quorum));
        EmbeddedKafkaBroker broker;
        try {
            broker = EmbeddedKafkaBroker.start(logDir, self, quorum);
        } catch (RuntimeException e) {
            e.printStackTrace();
            // The broker's own threads would keep a failed start's process alive, holding its ports.
            Runtime.getRuntime().halt(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            haltAfter(STOP_WITHIN_SECONDS);
            broker.close();
            stopped.countDown();
        }, "kafka-node-shutdown"));
        System.out.println(READY + " " + self.address());
        System.out.flush();
        stopped.await();
    }

    private static void stopWhenTheParentIsGone() {
        Thread watch = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // nothing is sent: the pipe only tells that the parent lives
                }
            } catch (java.io.IOException e) {
                // read as the parent gone
            }
            haltAfter(STOP_WITHIN_SECONDS);
            System.exit(0);
        }, "kafka-node-parent-watch");
        watch.setDaemon(true);
        watch.start();
    }

    private static void haltAfter(long seconds) {
        Thread watchdog = new Thread(() -> {
            try {
                TimeUnit.SECONDS.sleep(seconds);
            } catch (InterruptedException e) {
                return;
            }
            Runtime.getRuntime().halt(1);
        }, "kafka-node-stop-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }
}
