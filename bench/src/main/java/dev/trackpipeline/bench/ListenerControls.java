package dev.trackpipeline.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A consumer's {@code /bench/listeners} routes, which the benchmark turns on
 * ({@code track.bench.listener-controls=true}): pause its Kafka listeners, resume them.
 */
final class ListenerControls {

    private static final String PAUSED = "\"paused\":true";

    private final HttpClient http = HttpClient.newHttpClient();
    private final URI service;

    ListenerControls(String serviceUrl) {
        this.service = URI.create(serviceUrl);
    }

    /** Pauses the listeners and waits until no record is handed to the service any more. */
    void pause(Duration timeout) throws Exception {
        send(HttpRequest.newBuilder(service.resolve("/bench/listeners/pause")).POST(HttpRequest.BodyPublishers.noBody()));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!send(HttpRequest.newBuilder(service.resolve("/bench/listeners")).GET()).contains(PAUSED)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(service + ": the listeners did not pause within " + timeout.toSeconds() + " s");
            }
            Thread.sleep(20);
        }
    }

    void resume() throws Exception {
        send(HttpRequest.newBuilder(service.resolve("/bench/listeners/resume")).POST(HttpRequest.BodyPublishers.noBody()));
    }

    private String send(HttpRequest.Builder request) throws Exception {
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(request.build().uri() + " answered " + response.statusCode() + ": " + response.body()
                    + " (is track.bench.listener-controls on?)");
        }
        return response.body();
    }
}
