package dev.trackpipeline.aggregator.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trackpipeline.infra.EmbeddedRedisServer;
import dev.trackpipeline.infra.FreePorts;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisPooled;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

/**
 * The question the aggregator asks before it dead-letters records that failed alone for no known
 * reason: does Redis take a write at all? Asked of a real redis-server.
 */
class RedisWriteProbeTest {

    final int port = FreePorts.one();
    EmbeddedRedisServer server = EmbeddedRedisServer.start(Optional.empty(), "127.0.0.1", port);
    final JedisPooled redis = new JedisPooled("127.0.0.1", port);
    final RedisOutages outages = new RedisOutages(redis);

    @AfterEach
    void stop() {
        redis.close();
        server.close();
    }

    @Test
    void aServerThatTakesWritesTakesTheProbeAsOneKeyThatExpires() {
        assertThat(outages.takesWrites()).isTrue();
        assertThat(outages.takesWrites()).isTrue();

        assertThat(redis.keys("*")).containsExactly(MetricKeys.writeProbe());
        assertThat(redis.pttl(MetricKeys.writeProbe())).isPositive().isLessThanOrEqualTo(60_000);
    }

    /**
     * Under an ACL that grants the aggregator exactly what docs/dead-letters.md lists, on its own
     * keys, the probe passes: a probe needing SET, or a key outside track:, would fail for good and
     * halt the aggregator at its first record that fails alone.
     */
    @Test
    void aUserWithExactlyTheDocumentedRightsTakesTheProbe() {
        DocumentedRedisRights.read().grant(redis, "aggregator", "secret");

        try (JedisPooled asAggregator = new JedisPooled("127.0.0.1", port, "aggregator", "secret")) {
            assertThat(new RedisOutages(asAggregator).takesWrites()).isTrue();
        }
        assertThat(redis.keys("*")).containsExactly(MetricKeys.writeProbe());
        assertThat(redis.pttl(MetricKeys.writeProbe())).isPositive().isLessThanOrEqualTo(60_000);
    }

    /**
     * A right missing is said at once, naming it: the operator cannot otherwise tell why the
     * aggregator waits. TIME is one an HSET alone does not need, which every batch's script does.
     */
    @Test
    void aUserLackingTimeDoesNotTakeTheProbeAndTheLogNamesIt() {
        DocumentedRedisRights.read().without("TIME").grant(redis, "aggregator", "secret");

        List<ILoggingEvent> logged = loggedWhile(() -> {
            try (JedisPooled asAggregator = new JedisPooled("127.0.0.1", port, "aggregator", "secret")) {
                assertThat(new RedisOutages(asAggregator).takesWrites()).isFalse();
            }
        });

        assertThat(logged).singleElement().satisfies(event -> {
            assertThat(event.getLevel()).isEqualTo(Level.ERROR);
            assertThat(event.getFormattedMessage()).contains("refused the aggregator's user TIME for want of a right", "docs/dead-letters.md");
        });
    }

    @Test
    void aUserLackingEvalDoesNotTakeTheProbeAndTheLogSaysSo() {
        DocumentedRedisRights.read().without("EVAL").grant(redis, "aggregator", "secret");

        List<ILoggingEvent> logged = loggedWhile(() -> {
            try (JedisPooled asAggregator = new JedisPooled("127.0.0.1", port, "aggregator", "secret")) {
                assertThat(new RedisOutages(asAggregator).takesWrites()).isFalse();
            }
        });

        assertThat(logged).singleElement().satisfies(event -> {
            assertThat(event.getLevel()).isEqualTo(Level.ERROR);
            assertThat(event.getFormattedMessage()).contains("NOPERM", "eval", "needs EVAL and every command");
        });
    }

    /** What keeps the probe and the page from falling behind the scripts: each command they call is probed and documented. */
    @Test
    void theProbeAndTheDocumentedRightsHoldEveryCommandTheAggregatorsScriptsCall() {
        Set<String> called = new TreeSet<>(commandsCalledBy("/redis/apply-batch.lua"));
        called.addAll(commandsCalledBy("/redis/largest-members.lua"));

        assertThat(called).contains("TIME", "PEXPIREAT", "HSET", "ZRANGE");
        assertThat(commandsCalledBy("/redis/rights-probe.lua")).containsAll(called);
        assertThat(DocumentedRedisRights.read().commands()).containsAll(called).contains("EVAL", "PFCOUNT", "ZMSCORE", "PING");
    }

    private static Set<String> commandsCalledBy(String script) {
        Matcher call = Pattern.compile("call\\('([A-Z]+)'").matcher(RedisScripts.load(script));
        Set<String> commands = new TreeSet<>();
        while (call.find()) {
            commands.add(call.group(1));
        }
        return commands;
    }

    private static List<ILoggingEvent> loggedWhile(Runnable action) {
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        Logger logger = (Logger) LoggerFactory.getLogger(RedisOutages.class);
        logger.addAppender(logged);
        try {
            action.run();
        } finally {
            logger.detachAppender(logged);
        }
        return logged.list;
    }

    /** Out of memory under noeviction: PING still answers PONG, which is why a ping is not the question. */
    @Test
    void aServerThatAnswersPingsButRefusesWritesDoesNotTakeTheProbe() {
        redis.configSet("maxmemory-policy", "noeviction");
        redis.configSet("maxmemory", "1");

        assertThat(redis.ping()).isEqualTo("PONG");
        assertThat(outages.takesWrites()).isFalse();

        redis.configSet("maxmemory", "0");
        assertThat(outages.takesWrites()).isTrue();
    }

    @Test
    void aStoppedServerDoesNotTakeTheProbeAndTheProbeSaysSoWithoutThrowing() {
        assertThat(outages.takesWrites()).isTrue();
        server.close();

        assertThat(outages.takesWrites()).isFalse();

        server = EmbeddedRedisServer.start(Optional.empty(), "127.0.0.1", port);
        // the pool's connections to the stopped server are replaced as they fail, not at once
        await().atMost(Duration.ofSeconds(30)).until(outages::takesWrites);
    }
}
