package dev.trackpipeline.bench;

import com.mongodb.client.MongoClients;
import com.mongodb.client.model.Filters;
import dev.trackpipeline.model.ingest.EventIds;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.HdrHistogram.Histogram;
import tools.jackson.databind.json.JsonMapper;

/**
 * Time from the gateway's 202 to the event being visible: as a document in MongoDB, and in the
 * metrics API's count. Probe events of their own project are sent one at a time while other
 * load runs; each is looked for every few milliseconds until both stores show it.
 */
final class EndToEndLatency {

    /** Latencies in milliseconds. */
    record Result(int probes, double mongoP50Ms, double mongoP99Ms, double metricsP50Ms, double metricsP99Ms) {
    }

    private static final Duration GIVE_UP = Duration.ofSeconds(30);

    private final HttpClient http = HttpClient.newHttpClient();
    private final JsonMapper json = JsonMapper.builder().build();

    Result measure(URI gateway, String mongoUri, String database, URI aggregator, int probes) throws Exception {
        Histogram mongo = new Histogram(3);
        Histogram metrics = new Histogram(3);
        long counted = countedProbes(aggregator);
        try (var client = MongoClients.create(mongoUri)) {
            var custom = client.getDatabase(database).getCollection("custom");
            for (int i = 0; i < probes; i++) {
                byte[] probe = ("{\"type\":\"custom\",\"apikey\":\"" + BenchServices.PROBE_APIKEY + "\",\"time\":" + System.currentTimeMillis()
                        + ",\"uuid\":\"" + UUID.randomUUID() + "\",\"status\":\"ok\",\"probe\":" + i + "}").getBytes(StandardCharsets.UTF_8);
                String id = EventIds.fromContent(probe);
                HttpRequest post = HttpRequest.newBuilder(gateway.resolve("/reportData")).timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "text/plain;charset=UTF-8").POST(HttpRequest.BodyPublishers.ofByteArray(probe)).build();
                HttpResponse<String> answer = http.send(post, HttpResponse.BodyHandlers.ofString());
                // As the SDK would: a 503 (the gateway shedding load) is retried after a pause.
                for (int retry = 0; answer.statusCode() == 503 && retry < 20; retry++) {
                    Thread.sleep(250);
                    answer = http.send(post, HttpResponse.BodyHandlers.ofString());
                }
                long accepted = System.nanoTime();
                if (answer.statusCode() != 202) {
                    throw new IllegalStateException("probe " + i + " answered " + answer.statusCode() + ": " + answer.body());
                }
                long inMongo = -1;
                long inMetrics = -1;
                while (inMongo < 0 || inMetrics < 0) {
                    if (System.nanoTime() - accepted > GIVE_UP.toNanos()) {
                        throw new IllegalStateException("probe " + i + " not visible after " + GIVE_UP.toSeconds() + " s");
                    }
                    if (inMongo < 0 && custom.find(Filters.eq("_id", id)).first() != null) {
                        inMongo = System.nanoTime();
                    }
                    if (inMetrics < 0 && countedProbes(aggregator) > counted) {
                        inMetrics = System.nanoTime();
                    }
                    Thread.sleep(2);
                }
                counted++;
                mongo.recordValue((inMongo - accepted) / 1_000);
                metrics.recordValue((inMetrics - accepted) / 1_000);
                Thread.sleep(50);
            }
        }
        return new Result(probes, mongo.getValueAtPercentile(50) / 1000.0, mongo.getValueAtPercentile(99) / 1000.0,
                metrics.getValueAtPercentile(50) / 1000.0, metrics.getValueAtPercentile(99) / 1000.0);
    }

    private long countedProbes(URI aggregator) throws Exception {
        HttpResponse<String> overview = http.send(HttpRequest.newBuilder(
                        aggregator.resolve("/api/metrics/overview?apikey=" + BenchServices.PROBE_APIKEY + "&window=1h"))
                .header("Authorization", "Bearer " + BenchServices.PROBE_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        if (overview.statusCode() != 200) {
            throw new IllegalStateException("metrics API answered " + overview.statusCode() + ": " + overview.body());
        }
        return json.readTree(overview.body()).path("data").path("events").asLong();
    }
}
