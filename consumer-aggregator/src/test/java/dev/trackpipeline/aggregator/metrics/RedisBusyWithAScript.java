package dev.trackpipeline.aggregator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisBusyException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * A real redis-server kept busy by a script that never ends: every other command is answered
 * {@code BUSY} until {@link #close()} kills the script (SCRIPT KILL) and restores the script time limit.
 */
public final class RedisBusyWithAScript implements AutoCloseable {

    private final Jedis script;
    private final Jedis control;
    private final String threshold;
    private final CompletableFuture<Void> running;

    private RedisBusyWithAScript(String host, int port) {
        script = new Jedis(host, port);
        control = new Jedis(host, port);
        threshold = control.configGet("lua-time-limit").get("lua-time-limit");
        control.configSet("lua-time-limit", "1");
        running = CompletableFuture.runAsync(() -> {
            try {
                script.eval("while true do end");
            } catch (JedisDataException killed) {
                // SCRIPT KILL ends it with an error
            }
        });
    }

    /** Returns once Redis answers another client BUSY. */
    public static RedisBusyWithAScript start(String host, int port) {
        RedisBusyWithAScript busy = new RedisBusyWithAScript(host, port);
        boolean answeredBusy = false;
        for (int i = 0; i < 100_000 && !answeredBusy; i++) {
            try {
                busy.control.ping();
            } catch (JedisBusyException e) {
                answeredBusy = true;
            }
        }
        assertThat(answeredBusy).as("Redis busy with the script").isTrue();
        return busy;
    }

    @Override
    public void close() throws Exception {
        try {
            control.scriptKill();
            running.get(30, TimeUnit.SECONDS);
            control.configSet("lua-time-limit", threshold);
        } finally {
            script.close();
            control.close();
        }
    }
}
