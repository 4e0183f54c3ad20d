package dev.trackpipeline.launcher;

import dev.trackpipeline.model.fixtures.WebSeeFixtures;
import dev.trackpipeline.model.fixtures.WebSeeFixtures.CapturedRequest;
import dev.trackpipeline.model.ingest.EventIds;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Posts the captured SDK events to the gateway at a steady rate, in batches, each event made
 * unique by its session id, and keeps the books a fault test checks the stores against: which
 * events were answered 202 (must be stored), which got a 503 or no answer at all (may or may not
 * be), and any other answer (must not happen).
 */
final class FixtureLoad implements AutoCloseable {

    /** How long to wait before the next batch after a connection the gateway refused (it is restarting). */
    private static final Duration AFTER_REFUSAL = Duration.ofMillis(100);

    private final List<URI> reportData;
    private final int retryThroughAnotherEvery;
    private final List<String> templates;
    private final String apikey;
    private final int batchSize;
    private final double eventsPerSecond;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ExecutorService sender = Executors.newSingleThreadExecutor();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final Set<String> accepted = ConcurrentHashMap.newKeySet();
    private final Set<String> uncertain = ConcurrentHashMap.newKeySet();
    private final Map<Integer, Long> answers = new ConcurrentHashMap<>();
    private final List<String> unexpected = new java.util.concurrent.CopyOnWriteArrayList<>();
    private Future<?> running;

    FixtureLoad(String gatewayUrl, List<String> templates, String apikey, int batchSize, double eventsPerSecond) {
        this(List.of(gatewayUrl), 0, templates, apikey, batchSize, eventsPerSecond);
    }

    /**
     * Batches spread over the gateways in turn; every {@code retryThroughAnotherEvery}-th batch
     * (0: none) is sent again at once through the next gateway, as a client whose first answer was
     * lost retries through whichever gateway the load balancer picks.
     */
    FixtureLoad(List<String> gatewayUrls, int retryThroughAnotherEvery, List<String> templates, String apikey, int batchSize,
                double eventsPerSecond) {
        this.reportData = gatewayUrls.stream().map(url -> URI.create(url + "/reportData")).toList();
        this.retryThroughAnotherEvery = retryThroughAnotherEvery;
        this.templates = templates;
        this.apikey = apikey;
        this.batchSize = batchSize;
        this.eventsPerSecond = eventsPerSecond;
    }

    /** The captured requests' bodies a load sends, each with a fresh uuid: those that carry the SDK's uuid, under 12 KB. */
    static List<String> templates() {
        return WebSeeFixtures.load().posts().stream().map(CapturedRequest::body)
                .filter(body -> body.length() < 12_000 && body.contains("\"uuid\":\"")).toList();
    }

    void start() {
        running = sender.submit(() -> {
            long started = System.nanoTime();
            while (!stopping.get()) {
                long due = started + (long) (sent.get() / eventsPerSecond * 1e9);
                LockSupport.parkNanos(due - System.nanoTime());
                sendBatch();
            }
            return null;
        });
    }

    private void sendBatch() {
        List<String> events = new ArrayList<>(batchSize);
        for (int i = 0; i < batchSize; i++) {
            long number = sent.get() + i;
            events.add(templates.get((int) (number % templates.size()))
                    .replaceFirst("\"uuid\":\"[^\"]+\"", "\"uuid\":\"fault-" + number + "\"")
                    .replace("\"apikey\":\"demo-project\"", "\"apikey\":\"" + apikey + "\""));
        }
        // The gateway slices an array byte-exactly: each element's id is that of the event sent alone.
        List<String> ids = events.stream().map(event -> EventIds.fromContent(event.getBytes(StandardCharsets.UTF_8))).toList();
        long batch = sent.get() / batchSize;
        String body = "[" + String.join(",", events) + "]";
        send(reportData.get((int) (batch % reportData.size())), body, ids);
        if (retryThroughAnotherEvery > 0 && batch % retryThroughAnotherEvery == 0) {
            retried.addAndGet(batchSize);
            send(reportData.get((int) ((batch + 1) % reportData.size())), body, ids);
        }
        sent.addAndGet(batchSize);
    }

    private void send(URI gateway, String body, List<String> ids) {
        HttpRequest request = HttpRequest.newBuilder(gateway).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            answers.merge(response.statusCode(), 1L, Long::sum);
            if (response.statusCode() == 202 && response.body().endsWith("\"rejected\":[]}")) {
                accepted.addAll(ids);
            } else if (response.statusCode() == 503) {
                uncertain.addAll(ids);
            } else {
                unexpected.add(response.statusCode() + " " + response.body());
            }
        } catch (IOException noAnswer) {
            // Refused while the gateway restarts, or cut off: the events may or may not be in Kafka.
            answers.merge(0, 1L, Long::sum);
            uncertain.addAll(ids);
            LockSupport.parkNanos(AFTER_REFUSAL.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping.set(true);
        }
    }

    /** Events sent a second time, through another gateway. */
    long retried() {
        return retried.get();
    }

    long sent() {
        return sent.get();
    }

    Set<String> accepted() {
        return accepted;
    }

    Set<String> uncertain() {
        return uncertain;
    }

    /** Requests per HTTP status; 0 counts requests that got no answer. */
    Map<Integer, Long> answers() {
        return answers;
    }

    List<String> unexpected() {
        return unexpected;
    }

    @Override
    public void close() throws Exception {
        stopping.set(true);
        if (running != null) {
            running.get(60, TimeUnit.SECONDS);
        }
        sender.shutdown();
    }
}
