package dev.trackpipeline.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.JedisPooled;

class EmbeddedInfrastructureTest {

    @TempDir
    Path dataDir;

    @Test
    void startsARealBrokerMongoWireServerAndRedisThatRealClientsUse() throws Exception {
        try (EmbeddedInfrastructure infra = EmbeddedInfrastructure.startForTests()) {
            produceAndConsume(infra.kafkaBootstrapServers(), "probe", "hello");

            try (MongoClient mongo = MongoClients.create(infra.mongoUri())) {
                var collection = mongo.getDatabase("track").getCollection("probe");
                collection.insertOne(new Document("_id", "x").append("n", 1));
                assertThat(collection.find().first()).isEqualTo(new Document("_id", "x").append("n", 1));
            }

            try (JedisPooled redis = new JedisPooled(infra.redis().host(), infra.redis().port())) {
                assertThat(redis.incr("probe")).isEqualTo(1);
            }
            assertThat(infra.components()).extracting(EmbeddedInfrastructure.Component::embedded).containsOnly(true);
            // one broker holds one copy: the services are told so, or they would refuse its topics
            assertThat(infra.environment()).containsEntry("TRACK_TOPICS_REPLICATION_FACTOR", "1")
                    .containsEntry("TRACK_TOPICS_MIN_INSYNC_REPLICAS", "1");
        }
    }

    /** Formed on the six ports from the Redis port; the aggregator is told every node and to wait for a replica. */
    @Test
    void aRedisClusterTellsTheServicesItsNodesAndToWaitForAReplica() {
        InfrastructureSettings settings = InfrastructureSettings.forTests(dataDir);
        int redisPort = FreePorts.forRedisCluster();
        settings = new InfrastructureSettings(dataDir, false, "127.0.0.1", settings.kafkaPort(), settings.kafkaControllerPort(),
                settings.mongoPort(), redisPort, ExternalServers.none(), 1).withRedisCluster(true);

        try (EmbeddedInfrastructure infra = EmbeddedInfrastructure.start(settings)) {
            Map<String, String> environment = infra.environment();
            assertThat(environment.get("REDIS_CLUSTER_NODES").split(",")).hasSize(6).allSatisfy(node -> assertThat(node)
                    .startsWith("127.0.0.1:"));
            assertThat(environment).containsEntry("REDIS_WAIT_REPLICAS", "1");
            try (JedisCluster redis = new JedisCluster(HostAndPort.from(environment.get("REDIS_CLUSTER_NODES").split(",")[0]))) {
                for (String project : List.of("a", "b", "c", "d", "e", "f")) {
                    assertThat(redis.incr("track:{" + project + "}:probe")).isEqualTo(1);
                }
                assertThat(redis.getClusterNodes()).hasSizeGreaterThanOrEqualTo(3);
            }
            assertThat(infra.redisCluster()).isPresent();
        }
    }

    @Test
    void threeBrokersGiveTheServicesProductionsDurability() {
        assertThat(KafkaDurability.of(1)).isEqualTo(new KafkaDurability(1, 1));
        assertThat(KafkaDurability.of(2)).isEqualTo(new KafkaDurability(2, 1));
        assertThat(KafkaDurability.of(3)).isEqualTo(new KafkaDurability(3, 2));
        assertThat(KafkaDurability.of(5)).isEqualTo(new KafkaDurability(3, 2));
    }

    @Test
    void keepsKafkaTopicsAndMongoDocumentsAcrossARestartOnTheSameDataDirectory() throws Exception {
        InfrastructureSettings persistent = InfrastructureSettings.forTests(dataDir).withPersistence(true);

        try (EmbeddedInfrastructure infra = EmbeddedInfrastructure.start(persistent)) {
            produceAndConsume(infra.kafkaBootstrapServers(), "kept", "before restart");
            try (MongoClient mongo = MongoClients.create(infra.mongoUri())) {
                mongo.getDatabase("track").getCollection("kept").insertOne(new Document("_id", "doc"));
            }
        }
        assertThat(dataDir.resolve("kafka/meta.properties")).exists();

        try (EmbeddedInfrastructure infra = EmbeddedInfrastructure.start(persistent)) {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", infra.kafkaBootstrapServers()))) {
                assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains("kept");
            }
            assertThat(consumeAll(infra.kafkaBootstrapServers(), "kept")).containsExactly("before restart");
            try (MongoClient mongo = MongoClients.create(infra.mongoUri())) {
                assertThat(mongo.getDatabase("track").getCollection("kept").countDocuments()).isEqualTo(1);
            }
        }
    }

    @Test
    void aWriteTheMongoWireServerAcknowledgedIsInItsFileBeforeTheAnswerSoAProcessKillKeepsIt() throws Exception {
        Path store = dataDir.resolve("mongo/track.mv");
        Path afterKill = dataDir.resolve("copy/track.mv");
        try (EmbeddedMongoServer server = EmbeddedMongoServer.start(Optional.of(store), "127.0.0.1", FreePorts.one());
                MongoClient mongo = MongoClients.create(server.uri())) {
            var collection = mongo.getDatabase("track").getCollection("kept");
            collection.insertOne(new Document("_id", "first"));
            assertThatThrownBy(() -> collection.insertMany(List.of(new Document("_id", "second"), new Document("_id", "first"),
                    new Document("_id", "third")), new com.mongodb.client.model.InsertManyOptions().ordered(false)))
                    .hasMessageContaining("E11000");
            // The file as it is at this instant is what a SIGKILL would leave behind.
            Files.createDirectories(afterKill.getParent());
            Files.copy(store, afterKill);
        }
        try (EmbeddedMongoServer restarted = EmbeddedMongoServer.start(Optional.of(afterKill), "127.0.0.1",
                FreePorts.one()); MongoClient mongo = MongoClients.create(restarted.uri())) {
            assertThat(mongo.getDatabase("track").getCollection("kept").distinct("_id", String.class))
                    .containsExactlyInAnyOrder("first", "second", "third");
        }
    }

    @Test
    void startsNothingForServersTheEnvironmentNames() {
        ExternalServers external = ExternalServers.fromEnvironment(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", "kafka.internal:9092",
                "MONGODB_URI", "mongodb://mongo.internal:27017/track",
                "REDIS_HOST", "redis.internal", "REDIS_PORT", "6380", "REDIS_PASSWORD", "secret", "REDIS_DB", "2"));
        InfrastructureSettings settings = new InfrastructureSettings(dataDir, true, "127.0.0.1", 1, 1, 1, 1, external);

        try (EmbeddedInfrastructure infra = EmbeddedInfrastructure.start(settings)) {
            assertThat(infra.components()).extracting(EmbeddedInfrastructure.Component::embedded).containsOnly(false);
            assertThat(infra.environment()).containsEntry("KAFKA_BOOTSTRAP_SERVERS", "kafka.internal:9092")
                    .containsEntry("MONGODB_URI", "mongodb://mongo.internal:27017/track")
                    .containsEntry("REDIS_HOST", "redis.internal").containsEntry("REDIS_PORT", "6380")
                    .containsEntry("REDIS_PASSWORD", "secret").containsEntry("REDIS_DB", "2")
                    // an external cluster keeps the services' own (production) durability
                    .doesNotContainKeys("TRACK_TOPICS_REPLICATION_FACTOR", "TRACK_TOPICS_MIN_INSYNC_REPLICAS");
        }
        assertThat(dataDir).isEmptyDirectory();
    }

    @Test
    void refusesARedisPortThatIsNotANumber() {
        assertThatThrownBy(() -> ExternalServers.fromEnvironment(Map.of("REDIS_PORT", "six")))
                .hasMessage("REDIS_PORT: expected a port number, got \"six\"");
    }

    @Test
    void namesThePortWhenAServerCannotBind() throws Exception {
        try (var taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            assertThatThrownBy(() -> EmbeddedMongoServer.start(Optional.empty(), "127.0.0.1", taken.getLocalPort()))
                    .hasMessageStartingWith("MongoDB-wire server failed to start on 127.0.0.1:" + taken.getLocalPort());
        }
    }

    @Test
    void removesTheExtractedRedisBinaryOnClose() throws Exception {
        Path binary;
        try (EmbeddedRedisServer redis = EmbeddedRedisServer.start(Optional.empty(), "127.0.0.1", FreePorts.one())) {
            binary = redis.binaryDirectory();
            assertThat(binary).isNotEmptyDirectory().hasParent(Path.of(System.getProperty("java.io.tmpdir")));
        }

        assertThat(binary).doesNotExist();
    }

    private static void produceAndConsume(String bootstrap, String topic, String value) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", bootstrap, "acks", "all"),
                new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, "key", value)).get(30, TimeUnit.SECONDS);
        }
        assertThat(consumeAll(bootstrap, topic)).containsExactly(value);
    }

    private static List<String> consumeAll(String bootstrap, String topic) {
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of("bootstrap.servers", bootstrap,
                "group.id", "probe-" + System.nanoTime(), "auto.offset.reset", "earliest"),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            List<String> values = new java.util.ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (values.isEmpty() && System.nanoTime() < deadline) {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(500));
                records.forEach(record -> values.add(record.value()));
            }
            return values;
        }
    }
}
