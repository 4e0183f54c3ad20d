package dev.trackpipeline.runtime;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** A read of one project that holds its share of the reads until released: what a slow read does to the others. */
public final class HeldRead implements AutoCloseable {

    /** What takes a project's share for a read: {@link ProjectReadShares#read} or a service's own wrapper of it. */
    @FunctionalInterface
    public interface Reads {
        String read(String apikey, Supplier<String> read);
    }

    private final CountDownLatch reading = new CountDownLatch(1);
    private final CountDownLatch finish = new CountDownLatch(1);
    private final ExecutorService thread = Executors.newSingleThreadExecutor();
    private final CompletableFuture<String> result;

    public HeldRead(Reads reads, String apikey) throws InterruptedException {
        result = CompletableFuture.supplyAsync(() -> reads.read(apikey, () -> {
            reading.countDown();
            try {
                finish.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "held by " + apikey;
        }), thread);
        if (!reading.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the held read never got its share");
        }
    }

    /** Lets the read end, and returns what it read. */
    public String release() throws Exception {
        finish.countDown();
        return result.get(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        finish.countDown();
        thread.shutdown();
    }
}
