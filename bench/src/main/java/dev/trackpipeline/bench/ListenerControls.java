package dev.trackpipeline.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * The {@code /bench/listeners} routes of one consumer or of every instance of one (the members of
 * one group), which the benchmark turns on ({@code track.bench.listener-controls=true}): pause
 * their Kafka listeners, resume them.
 */
final class ListenerControls {

    private static final String PAUSED = "\"paused\":true";

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<URI> services;

    ListenerControls(String... serviceUrls) {
        this.services = Stream.of(serviceUrls).map(URI::create).toList();
    }

    /**
     * Pauses the listeners and waits until no record is handed to any of the services. Every
     * service is asked before any is waited for: instances that each drained on while the others
     * were being paused would end their drain at places further apart.
     */
    void pause(Duration timeout) throws Exception {
        for (URI service : services) {
            send(HttpRequest.newBuilder(service.resolve("/bench/listeners/pause")).POST(HttpRequest.BodyPublishers.noBody()));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        for (URI service : services) {
            while (!send(HttpRequest.newBuilder(service.resolve("/bench/listeners")).GET()).contains(PAUSED)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(service + ": the listeners did not pause within " + timeout.toSeconds() + " s");
                }
                Thread.sleep(20);
            }
        }
    }

    void resume() throws Exception {
        for (URI service : services) {
            send(HttpRequest.newBuilder(service.resolve("/bench/listeners/resume")).POST(HttpRequest.BodyPublishers.noBody()));
        }
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
