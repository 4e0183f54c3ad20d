package dev.trackpipeline.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;

/**
 * An HTTP load generator: closed loop (a fixed number of connections, each sending its next
 * request when the last is answered) to find saturation, or open loop (requests started on a
 * fixed schedule) to measure latency at a given rate. Open-loop latency counts from the time a
 * request was due, not from when it was sent, so a stalled server cannot hide its stall
 * (coordinated omission). Only answers with the expected status count as successes.
 */
final class HttpLoad implements AutoCloseable {

    /** What one run measured; latencies in milliseconds. */
    record Result(long requests, long failures, double seconds, double requestsPerSecond, double p50Ms, double p99Ms) {
    }

    /**
     * Most requests an open-loop run keeps waiting: a client population of this size, below the
     * gateway's connection limit, so a backlog shows as latency rather than refused connections.
     */
    private static final int MAX_OUTSTANDING = 512;

    private final ExecutorService callbacks = Executors.newFixedThreadPool(2, runnable -> {
        Thread thread = new Thread(runnable, "bench-http");
        thread.setDaemon(true);
        return thread;
    });
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).executor(callbacks).build();
    /**
     * How long a run waits for its outstanding requests once its load has ended, and the pacer for
     * a free slot, before the run fails: far beyond the requests' own 30 s timeout, so only answers
     * that can never arrive get here. The JDK's client completes every answer in the common pool
     * (one worker on two cores, Java 25): a run started from that pool's worker once waited for
     * them forever. What this class does with an answer runs on its own threads.
     */
    private static final Duration NO_ANSWER_LIMIT = Duration.ofSeconds(90);

    private final Duration noAnswerLimit;

    HttpLoad() {
        this(NO_ANSWER_LIMIT);
    }

    HttpLoad(Duration noAnswerLimit) {
        this.noAnswerLimit = noAnswerLimit;
    }

    /** As many requests as {@code connections} can carry, for {@code warmUp} then {@code measure}. */
    Result saturate(URI uri, String contentType, List<byte[]> bodies, int expectedStatus, int connections,
                    Duration warmUp, Duration measure) throws InterruptedException {
        Measurement measurement = new Measurement(expectedStatus);
        AtomicLong next = new AtomicLong();
        CountDownLatch stopped = new CountDownLatch(connections);
        long end = System.nanoTime() + warmUp.toNanos() + measure.toNanos();
        for (int i = 0; i < connections; i++) {
            sendUntil(uri, contentType, bodies, next, end, measurement, stopped);
        }
        measurement.startAfter(warmUp);
        measurement.stopAfter(measure);
        if (!stopped.await(noAnswerLimit.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new IllegalStateException(unanswered(uri, stopped.getCount()));
        }
        return measurement.result();
    }

    /** Requests started at {@code perSecond} on a fixed schedule, for {@code warmUp} then {@code measure}. */
    Result atRate(URI uri, String contentType, List<byte[]> bodies, int expectedStatus, double perSecond,
                  Duration warmUp, Duration measure) throws InterruptedException {
        Measurement measurement = new Measurement(expectedStatus);
        Semaphore outstanding = new Semaphore(MAX_OUTSTANDING);
        AtomicBoolean gaveUp = new AtomicBoolean();
        Thread pacer = new Thread(() -> {
            long interval = (long) (1_000_000_000L / perSecond);
            long start = System.nanoTime();
            long end = start + warmUp.toNanos() + measure.toNanos();
            for (long i = 0; ; i++) {
                long due = start + i * interval;
                if (due >= end) {
                    return;
                }
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                try {
                    if (!outstanding.tryAcquire(noAnswerLimit.toNanos(), TimeUnit.NANOSECONDS)) {
                        gaveUp.set(true);
                        return;
                    }
                } catch (InterruptedException e) {
                    gaveUp.set(true);
                    return;
                }
                client.sendAsync(request(uri, contentType, bodies.get((int) (i % bodies.size()))), HttpResponse.BodyHandlers.discarding())
                        .whenCompleteAsync((response, failure) -> {
                            measurement.record(due, response, failure);
                            outstanding.release();
                        }, callbacks);
            }
        }, "bench-pacer");
        pacer.start();
        measurement.startAfter(warmUp);
        measurement.stopAfter(measure);
        pacer.join();
        if (gaveUp.get() || !outstanding.tryAcquire(MAX_OUTSTANDING, noAnswerLimit.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new IllegalStateException(unanswered(uri, MAX_OUTSTANDING - outstanding.availablePermits()));
        }
        return measurement.result();
    }

    private String unanswered(URI uri, long requests) {
        return requests + " requests to " + uri + " still unanswered after waiting " + noAnswerLimit.toMillis()
                + " ms: the JDK's client completes answers in the common pool; is a task blocking it?";
    }

    private void sendUntil(URI uri, String contentType, List<byte[]> bodies, AtomicLong next, long end,
                           Measurement measurement, CountDownLatch stopped) {
        long sent = System.nanoTime();
        if (sent >= end) {
            stopped.countDown();
            return;
        }
        byte[] body = bodies.get((int) (next.getAndIncrement() % bodies.size()));
        client.sendAsync(request(uri, contentType, body), HttpResponse.BodyHandlers.discarding())
                .whenCompleteAsync((response, failure) -> {
                    measurement.record(sent, response, failure);
                    sendUntil(uri, contentType, bodies, next, end, measurement, stopped);
                }, callbacks);
    }

    private static HttpRequest request(URI uri, String contentType, byte[] body) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    @Override
    public void close() {
        callbacks.shutdownNow();
    }

    /** Counts answers that complete inside the measured interval. */
    private static final class Measurement {

        private final int expectedStatus;
        private final ConcurrentHistogram latencyMicros = new ConcurrentHistogram(3);
        private final AtomicLong successes = new AtomicLong();
        private final AtomicLong failures = new AtomicLong();
        private volatile boolean measuring;
        private long startedAt;
        private long stoppedAt;

        Measurement(int expectedStatus) {
            this.expectedStatus = expectedStatus;
        }

        void startAfter(Duration warmUp) throws InterruptedException {
            TimeUnit.NANOSECONDS.sleep(warmUp.toNanos());
            startedAt = System.nanoTime();
            measuring = true;
        }

        void stopAfter(Duration measure) throws InterruptedException {
            TimeUnit.NANOSECONDS.sleep(measure.toNanos());
            measuring = false;
            stoppedAt = System.nanoTime();
        }

        void record(long due, HttpResponse<?> response, Throwable failure) {
            if (!measuring) {
                return;
            }
            if (failure != null || response.statusCode() != expectedStatus) {
                failures.incrementAndGet();
                return;
            }
            successes.incrementAndGet();
            latencyMicros.recordValue(Math.max(0, (System.nanoTime() - due) / 1_000));
        }

        Result result() {
            double seconds = (stoppedAt - startedAt) / 1e9;
            return new Result(successes.get(), failures.get(), seconds, successes.get() / seconds,
                    latencyMicros.getValueAtPercentile(50) / 1000.0, latencyMicros.getValueAtPercentile(99) / 1000.0);
        }
    }
}
