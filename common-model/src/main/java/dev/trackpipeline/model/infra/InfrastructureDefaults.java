package dev.trackpipeline.model.infra;

/**
 * Where the embedded infrastructure listens unless told otherwise. Its own ports, not Kafka's,
 * MongoDB's or Redis's standard ones, so it never collides with servers already on the machine.
 * The services default to these addresses, so {@code bin/track infra} and the services meet.
 */
public final class InfrastructureDefaults {

    public static final String HOST = "127.0.0.1";
    public static final int KAFKA_PORT = 19092;
    public static final int KAFKA_CONTROLLER_PORT = 19093;
    public static final int MONGO_PORT = 27117;
    public static final int REDIS_PORT = 16379;
    public static final String MONGO_DATABASE = "track";

    private InfrastructureDefaults() {
    }

    public static String kafkaBootstrapServers() {
        return HOST + ":" + KAFKA_PORT;
    }

    public static String mongoUri() {
        return "mongodb://" + HOST + ":" + MONGO_PORT + "/" + MONGO_DATABASE;
    }
}
