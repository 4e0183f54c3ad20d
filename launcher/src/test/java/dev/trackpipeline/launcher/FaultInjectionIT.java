package dev.trackpipeline.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trackpipeline.infra.ExternalServers;
import dev.trackpipeline.infra.InfrastructureSettings;
import dev.trackpipeline.infra.RedisAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Breaks the running pipeline on purpose while the captured SDK events flow, then counts. Kafka,
 * the MongoDB-wire server and Redis each run in a process of their own ({@code bin/track infra}),
 * the three services in theirs. Under a steady load it kills the writer and the aggregator with
 * SIGKILL again and again, stops each service with SIGTERM, and then restarts the Kafka broker,
 * Redis and MongoDB, each once after SIGTERM and once after SIGKILL followed by an outage.
 * Afterwards MongoDB must hold every event answered 202, nothing else but events whose answer
 * was a 503 or none at all, each once; and the aggregated count must equal what MongoDB holds.
 *
 * <p>The CI variant is short. The full one is a command of its own, {@code bin/track faults}
 * (10 kill cycles, 30 s outages, 400 events/s: about 150,000 events).
 */
class FaultInjectionIT {

    static final String APIKEY = "faults";
    static final String READ_TOKEN = "faults-read-token";

    static final int KILLS = Integer.getInteger("track.faults.kills", 2);
    static final Duration OUTAGE = Duration.parse("PT" + System.getProperty("track.faults.outage", "5s").toUpperCase());
    static final double EVENTS_PER_SECOND = Double.parseDouble(System.getProperty("track.faults.rate", "200"));

    @TempDir
    static Path dataDir;

    static InfraProcess kafka;
    static InfraProcess mongo;
    static InfraProcess redis;
    static LocalPipeline pipeline;

    @BeforeAll
    static void startInfrastructureAndServicesEachInItsOwnProcess() throws Exception {
        Path home = Path.of(System.getProperty("track.home", ".."));
        InfrastructureSettings ports = InfrastructureSettings.forTests(dataDir);
        String kafkaAddress = ports.host() + ":" + ports.kafkaPort();
        String mongoUri = "mongodb://" + ports.host() + ":" + ports.mongoPort() + "/track";
        Map<String, String> kafkaEnv = Map.of("KAFKA_BOOTSTRAP_SERVERS", kafkaAddress);
        Map<String, String> mongoEnv = Map.of("MONGODB_URI", mongoUri);
        Map<String, String> redisEnv = Map.of("REDIS_HOST", ports.host(), "REDIS_PORT", String.valueOf(ports.redisPort()));
        List<String> arguments = List.of("--data-dir", dataDir.toString(), "--kafka-port", String.valueOf(ports.kafkaPort()),
                "--kafka-controller-port", String.valueOf(ports.kafkaControllerPort()), "--mongo-port", String.valueOf(ports.mongoPort()),
                "--redis-port", String.valueOf(ports.redisPort()));
        Path logs = dataDir.resolve("logs");
        // at once, as a supervisor starting them would; each one started is kept, so that one failing leaves none running
        var starting = java.util.concurrent.Executors.newFixedThreadPool(3);
        try {
            var kafkaStarting = starting.submit(() -> InfraProcess.start("kafka", home, arguments, merge(mongoEnv, redisEnv), logs));
            var mongoStarting = starting.submit(() -> InfraProcess.start("mongodb", home, arguments, merge(kafkaEnv, redisEnv), logs));
            var redisStarting = starting.submit(() -> InfraProcess.start("redis", home, arguments, merge(kafkaEnv, mongoEnv), logs));
            kafka = startedOrNull(kafkaStarting);
            mongo = startedOrNull(mongoStarting);
            redis = startedOrNull(redisStarting);
            kafkaStarting.get();
            mongoStarting.get();
            redisStarting.get();
        } finally {
            starting.shutdown();
        }

        Path projects = TestPipelines.loadProject(dataDir, APIKEY, READ_TOKEN);
        ExternalServers external = new ExternalServers(Optional.of(kafkaAddress), Optional.of(mongoUri),
                Optional.of(new RedisAddress(ports.host(), ports.redisPort(), Optional.empty(), 0)));
        pipeline = LocalPipeline.start(new LocalPipeline.Settings(home, ports.withPersistence(true).withExternal(external), projects,
                ServicePorts.free(), TestPipelines.serviceJvmOptions(
                        // one broker, named as an external server, holds one copy of each partition
                        "-Dtrack.topics.replication-factor=1", "-Dtrack.topics.min-insync-replicas=1",
                        // the load is one client address, which --rate may take past the gateway's 100 requests/s per address
                        "-Dtrack.gateway.client-requests.per-second=1000000", "-Dtrack.gateway.client-requests.burst=1000000")));
    }

    @AfterAll
    static void stopEverything() throws Exception {
        if (pipeline != null) {
            pipeline.close();
        }
        for (InfraProcess infra : new InfraProcess[] {redis, mongo, kafka}) {
            if (infra != null) {
                infra.close();
            }
        }
    }

    @Test
    void underCrashesRestartsAndOutagesEveryAcceptedEventIsStoredOnceAndCountedOnce() throws Exception {
        List<String> templates = FixtureLoad.templates();
        FixtureLoad load = new FixtureLoad(pipeline.url("gateway"), templates, APIKEY, 10, EVENTS_PER_SECOND);
        long started = System.nanoTime();
        load.start();
        int faults = 0;

        for (int crash = 0; crash < KILLS; crash++) {
            long before = load.sent();
            await().atMost(Duration.ofMinutes(2)).until(() -> load.sent() >= before + 500);
            pipeline.kill("consumer-writer");
            pipeline.kill("consumer-aggregator");
            pipeline.start("consumer-writer", "consumer-aggregator");
            faults += 2;
        }
        for (String service : List.of("gateway", "consumer-writer", "consumer-aggregator")) {
            pipeline.stop(service);
            pipeline.start(service);
            faults++;
        }
        for (InfraProcess infra : List.of(kafka, redis, mongo)) {
            infra.stop();
            infra.start();
            infra.kill();
            await().pollDelay(OUTAGE).atMost(OUTAGE.plusSeconds(5)).until(() -> true);
            infra.start();
            faults += 2;
        }
        long before = load.sent();
        await().atMost(Duration.ofMinutes(2)).until(() -> load.sent() >= before + 500);
        load.close();
        TestPipelines.awaitBothConsumersCaughtUp(pipeline);

        StoredAndCounted result = StoredAndCounted.of(pipeline, APIKEY, READ_TOKEN);
        long seconds = (System.nanoTime() - started) / 1_000_000_000L;

        result.assertExactlyOnce(load);
        System.out.printf("fault injection: %d events sent in %d s, %d answered 202, %d answered 503 or not at all (%d of those stored), "
                        + "%d faults (%d SIGKILLs and 3 SIGTERMs of services; Kafka, Redis and MongoDB each restarted after SIGTERM "
                        + "and down %d s after SIGKILL); stored %d, counted %d, lost 0, "
                        + "duplicated 0; answers %s%n", load.sent(), seconds, load.accepted().size(), load.uncertain().size(),
                result.stored().size() - load.accepted().size(), faults, KILLS * 2, OUTAGE.toSeconds(), result.documents(),
                result.counted(), load.answers());
    }

    private static InfraProcess startedOrNull(java.util.concurrent.Future<InfraProcess> starting) throws InterruptedException {
        try {
            return starting.get();
        } catch (java.util.concurrent.ExecutionException failed) {
            return null;
        }
    }

    private static Map<String, String> merge(Map<String, String> first, Map<String, String> second) {
        Map<String, String> merged = new java.util.HashMap<>(first);
        merged.putAll(second);
        return merged;
    }
}
