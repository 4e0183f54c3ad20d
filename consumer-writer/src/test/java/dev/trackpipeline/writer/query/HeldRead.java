package dev.trackpipeline.writer.query;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** A read of one project that holds its read slot until released: what a slow read does to the others. */
final class HeldRead implements AutoCloseable {

    private final CountDownLatch reading = new CountDownLatch(1);
    private final CountDownLatch finish = new CountDownLatch(1);
    private final ExecutorService thread = Executors.newSingleThreadExecutor();
    private final CompletableFuture<String> result;

    HeldRead(ReadSlots slots, String apikey) throws InterruptedException {
        result = CompletableFuture.supplyAsync(() -> slots.read(apikey, () -> {
            reading.countDown();
            try {
                finish.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "held by " + apikey;
        }), thread);
        if (!reading.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the held read never got its slot");
        }
    }

    /** Lets the read end, and returns what it read. */
    String release() throws Exception {
        finish.countDown();
        return result.get(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        finish.countDown();
        thread.shutdown();
    }
}
