package dev.trackpipeline.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Ctrl-C while {@code bin/track local} or {@code infra} starts: what has started stops, last
 * started first, and a part still starting (the infrastructure: a broker and two stores) is waited
 * for and then stopped, not cut off by the JVM's exit with its stores open.
 */
class StartedSoFarTest {

    final List<String> stoppedParts = new ArrayList<>();
    /** Its own threads: the common pool may have one thread only on a machine of two cores. */
    final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void endThreads() {
        threads.shutdownNow();
    }

    @Test
    void aStopStopsWhatHasStartedLastStartedFirst() throws Exception {
        LocalPipeline.StartedSoFar soFar = new LocalPipeline.StartedSoFar();
        soFar.start(() -> part("infrastructure"));
        soFar.start(() -> part("gateway"));

        soFar.stop();

        assertThat(stoppedParts).containsExactly("gateway", "infrastructure");
        assertThat(soFar.stopAsked()).isTrue();
    }

    @Test
    void aStopWhileAPartStartsWaitsForItAndStopsIt() throws Exception {
        LocalPipeline.StartedSoFar soFar = new LocalPipeline.StartedSoFar();
        CountDownLatch mayFinish = new CountDownLatch(1);
        CompletableFuture<AutoCloseable> start = startingUntil(mayFinish, soFar, "infrastructure");
        assertThat(soFar.holdsAny()).as("a part starting is something to stop").isTrue();

        CompletableFuture<Void> stop = CompletableFuture.runAsync(soFar::stop, threads);
        assertThatThrownBy(() -> stop.get(300, TimeUnit.MILLISECONDS)).as("the stop waits while the part starts")
                .isInstanceOf(java.util.concurrent.TimeoutException.class);
        assertThat(stoppedParts).isEmpty();

        mayFinish.countDown();
        stop.get(10, TimeUnit.SECONDS);
        assertThat(stoppedParts).as("stopped once started, before the stop returned").containsExactly("infrastructure");
        assertThatThrownBy(start::get).isInstanceOf(ExecutionException.class).rootCause()
                .isInstanceOf(InterruptedException.class).hasMessage("stopped while starting");
    }

    @Test
    void aPartThatFinishesStartingDuringAStopStopsBeforeThoseStartedEarlier() throws Exception {
        LocalPipeline.StartedSoFar soFar = new LocalPipeline.StartedSoFar();
        soFar.start(() -> part("infrastructure"));
        CountDownLatch mayFinish = new CountDownLatch(1);
        CompletableFuture<AutoCloseable> gateway = startingUntil(mayFinish, soFar, "gateway");

        CompletableFuture<Void> stop = CompletableFuture.runAsync(soFar::stop, threads);
        assertThatThrownBy(() -> stop.get(300, TimeUnit.MILLISECONDS)).isInstanceOf(java.util.concurrent.TimeoutException.class);
        assertThat(stoppedParts).as("the infrastructure stays up for the service still starting").isEmpty();
        mayFinish.countDown();
        stop.get(10, TimeUnit.SECONDS);
        assertThatThrownBy(() -> gateway.get(10, TimeUnit.SECONDS)).as("stopped while starting").isInstanceOf(ExecutionException.class);

        assertThat(stoppedParts).containsExactly("gateway", "infrastructure");
    }

    @Test
    void aStopGivesUpWaitingForAPartThatNeverFinishesStarting() throws Exception {
        LocalPipeline.StartedSoFar soFar = new LocalPipeline.StartedSoFar(Duration.ofMillis(50));
        CountDownLatch never = new CountDownLatch(1);
        CompletableFuture<AutoCloseable> start = startingUntil(never, soFar, "stuck");

        CompletableFuture.runAsync(soFar::stop, threads).get(10, TimeUnit.SECONDS);

        assertThat(stoppedParts).isEmpty();
        never.countDown();
        assertThatThrownBy(() -> start.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        assertThat(stoppedParts).as("a part that starts after all is stopped then").containsExactly("stuck");
    }

    @Test
    void nothingStartsAfterAStop() throws Exception {
        LocalPipeline.StartedSoFar soFar = new LocalPipeline.StartedSoFar();
        soFar.stop();
        List<String> started = new ArrayList<>();

        assertThatThrownBy(() -> soFar.start(() -> {
            started.add("gateway");
            return part("gateway");
        })).isInstanceOf(InterruptedException.class);
        assertThat(started).isEmpty();
    }

    @Test
    void aStartsFailureIsNoNewsOnlyOnceAStopWasAsked() throws Exception {
        LocalPipeline.StartedSoFar soFar = new LocalPipeline.StartedSoFar();
        assertThat(soFar.unlessStopped(() -> "started")).hasValue("started");
        assertThatThrownBy(() -> soFar.unlessStopped(() -> {
            throw new IllegalStateException("port 3000 in use");
        })).hasMessage("port 3000 in use");

        soFar.stop();

        assertThat(soFar.unlessStopped(() -> {
            throw new ExceptionInInitializerError("Shutdown in progress");
        })).isEmpty();
    }

    /** A part that starts on a thread of its own and finishes its start when {@code mayFinish} opens; returned once it is starting. */
    private CompletableFuture<AutoCloseable> startingUntil(CountDownLatch mayFinish, LocalPipeline.StartedSoFar soFar, String name)
            throws InterruptedException {
        CountDownLatch starting = new CountDownLatch(1);
        CompletableFuture<AutoCloseable> start = CompletableFuture.supplyAsync(() -> {
            try {
                return soFar.start(() -> {
                    starting.countDown();
                    mayFinish.await();
                    return part(name);
                });
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, threads);
        assertThat(starting.await(10, TimeUnit.SECONDS)).as(name + " starting").isTrue();
        return start;
    }

    private AutoCloseable part(String name) {
        return () -> {
            synchronized (stoppedParts) {
                stoppedParts.add(name);
            }
        };
    }
}
