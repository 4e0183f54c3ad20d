package dev.trackpipeline.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import org.apache.kafka.common.TopicPartition;

/**
 * Events prepared in the event topics for the consumers to drain, posted through the gateway:
 * warm-up events, then the events every drain is measured on.
 *
 * @param start    where the warm-up events start, where every group is placed
 * @param warmedUp where the warm-up events end and the measured events start
 * @param end      where the measured events end
 */
record Backlog(Map<TopicPartition, Long> start, Map<TopicPartition, Long> warmedUp, Map<TopicPartition, Long> end) {

    private static final String JSON = "application/json";
    private static final int EVENTS_PER_POST = 50;

    /** Posts {@code warmUpEvents}, then {@code measuredEvents}, in batches of 50. */
    static Backlog fill(KafkaOffsets offsets, URI reportData, TrafficMix traffic, int warmUpEvents, int measuredEvents) throws Exception {
        Map<TopicPartition, Long> start = offsets.ends();
        postAll(reportData, traffic.batches(warmUpEvents / EVENTS_PER_POST, EVENTS_PER_POST));
        Map<TopicPartition, Long> warmedUp = offsets.ends();
        postAll(reportData, traffic.batches(measuredEvents / EVENTS_PER_POST, EVENTS_PER_POST));
        return new Backlog(start, warmedUp, offsets.ends());
    }

    /** Posts every body, a few at a time, and insists on a 202 for each: the consumers' events must all be in Kafka. */
    private static void postAll(URI uri, List<byte[]> bodies) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        Semaphore inFlight = new Semaphore(8);
        List<CompletableFuture<HttpResponse<Void>>> answers = new ArrayList<>();
        for (byte[] body : bodies) {
            inFlight.acquire();
            answers.add(http.sendAsync(HttpRequest.newBuilder(uri).header("Content-Type", JSON)
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.discarding())
                    .whenComplete((response, failure) -> inFlight.release()));
        }
        for (CompletableFuture<HttpResponse<Void>> answer : answers) {
            if (answer.get().statusCode() != 202) {
                throw new IllegalStateException("filling the topics: the gateway answered " + answer.get().statusCode());
            }
        }
    }
}
