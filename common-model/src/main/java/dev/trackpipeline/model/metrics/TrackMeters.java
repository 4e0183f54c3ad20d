package dev.trackpipeline.model.metrics;

import java.time.Duration;
import java.util.List;

/**
 * The names of the pipeline's own Prometheus metrics, in Micrometer's dotted form: Prometheus
 * sees {@code track.consume.write} as {@code track_consume_write_seconds}. The gateway's are
 * {@code track.ingest.*}, the writer's and the aggregator's are the same {@code track.consume.*}
 * told apart by their {@code group} tag. Every tag takes a bounded set of values: outcomes, event
 * types and families, consumer groups; never an apikey, a URL or free text.
 */
public final class TrackMeters {

    /** Events received at /reportData; tags {@code outcome}, {@code type}. */
    public static final String INGEST_EVENTS = "track.ingest.events";
    /** From send to Kafka's acknowledgement of one request's events; tag {@code outcome} (acknowledged, failed). */
    public static final String INGEST_PUBLISH = "track.ingest.publish";
    /** Bytes of accepted events the gateway holds until Kafka acknowledges them. */
    public static final String INGEST_IN_FLIGHT_BYTES = "track.ingest.in.flight.bytes";
    /** Heap the gateway's requests hold while their bodies are read and parsed (bodies, events, trees). */
    public static final String INGEST_PARSING_BYTES = "track.ingest.parsing.bytes";
    /** Request bodies the gateway is reading now, each on a request thread. */
    public static final String INGEST_BODY_READS = "track.ingest.body.reads";
    /** Client addresses with at least one request body being read now. */
    public static final String INGEST_BODY_READ_CLIENTS = "track.ingest.body.read.clients";

    /** Events per polled batch; tag {@code group}. */
    public static final String CONSUME_BATCH_EVENTS = "track.consume.batch.events";
    /** One store write (a bulk insert, a Redis script); tags {@code group}, {@code family}. */
    public static final String CONSUME_WRITE = "track.consume.write";
    /** Consumed events by what the store made of them; tags {@code group}, {@code family}, {@code outcome}. */
    public static final String CONSUME_EVENTS = "track.consume.events";
    /** From the gateway's received-at to the store holding the event (stored, counted, or there already); tags {@code group}, {@code family}. */
    public static final String CONSUME_END_TO_END = "track.consume.end.to.end";
    /** Records sent to a dead-letter topic; tags {@code topic}, {@code outcome}. */
    public static final String CONSUME_DEAD_LETTERED = "track.consume.dead.lettered";
    /** Records redriven from the dead-letter topic for another consumer group, skipped by this one; tag {@code topic}. */
    public static final String CONSUME_REDRIVEN_ELSEWHERE = "track.consume.redriven.elsewhere";
    /**
     * Events counted whose id the aggregator could not remember for the dedup window (the slice of
     * the project's dedup ring was full): a client's re-send of one of them would be counted again.
     */
    public static final String AGGREGATOR_DEDUP_UNREMEMBERED = "track.aggregator.dedup.unremembered";
    /** Seconds the consumer has been failing to store a batch (0 while it makes progress); the service's {@code application} tag tells which. */
    public static final String CONSUME_FAILING = "track.consume.failing";
    /**
     * Records of the event topics the consumer group has not committed (neither stored nor
     * dead-lettered), read from the broker; Kafka's own lag counts from the fetch position instead.
     */
    public static final String CONSUME_COMMITTED_LAG = "track.consume.committed.lag";
    /** Seconds the batch the consumer is storing now has been in hand (0 between batches): a hung store call shows here. */
    public static final String CONSUME_BATCH_IN_HAND = "track.consume.batch.in.hand";
    /** Age in seconds of the oldest event in a batch the consumer is failing to store (0 when none is). */
    public static final String CONSUME_OLDEST_UNSTORED = "track.consume.oldest.unstored";

    /**
     * Histogram buckets of every latency above: twelve fixed boundaries, the same in each
     * service, so dashboards can add them up and a Prometheus series count stays predictable.
     */
    public static final List<Duration> LATENCY_BUCKETS = List.of(Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30));

    private TrackMeters() {
    }
}
