package dev.trackpipeline.gateway.ingest;

import dev.trackpipeline.model.Outcome;
import java.io.IOException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.http.HttpStatus;

/**
 * Bounds the request bodies read at once from one client address. A body is read on one of
 * Tomcat's request threads, which waits for every byte: the security review held all 200 of them
 * from one host with 210 connections that each sent part of a body and then a byte every 10 s,
 * and no other client was answered for as long as it kept on. Past the bound, a request from that
 * address is refused at once, before any of its body is read, so one address holds at most
 * {@code limit} threads however many connections it opens; the body-read timeout bounds how long.
 *
 * <p>The refusal is a 503 with Retry-After, not a 429: Tomcat closes the connection after a 503
 * without reading the rest of the body, whereas after a 429 it would read and drop that rest to
 * keep the connection open, on the request thread and at the client's pace, which is the very
 * hold this bound is for.
 *
 * <p>The address is the TCP peer's, or the client's that a trusted proxy names in X-Forwarded-For
 * ({@link ForwardedClientAddresses}), the same one every per-client bound uses, an IPv6 one by its
 * /64 ({@link ClientBlock}). Behind a reverse
 * proxy that is not trusted, every request comes from the proxy's address, so the bound must be
 * raised there and the proxy must bound each client instead (README, Interfaces). Only addresses
 * with a read under way have an entry, so the state is bounded by the request threads, not by how
 * many addresses ever came.
 */
final class BodyReadsPerClient {

    /** A read of a request's body, which may block for the body's bytes. */
    @FunctionalInterface
    interface BodyRead<T> {
        T read() throws IOException;
    }

    private final int limit;
    private final ConcurrentHashMap<String, Integer> readsByAddress = new ConcurrentHashMap<>();
    private final AtomicInteger reads = new AtomicInteger();

    BodyReadsPerClient(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("at least one body read per client must be allowed, got " + limit);
        }
        this.limit = limit;
    }

    /**
     * @throws IngestRefusedException 503 {@link Outcome#TOO_MANY_BODY_READS} without calling {@code read}
     *                                when {@code address} already has {@code limit} reads under way
     */
    <T> T read(String address, BodyRead<T> read) throws IOException {
        String client = ClientBlock.of(address);
        if (!tryStart(client)) {
            throw new IngestRefusedException(HttpStatus.SERVICE_UNAVAILABLE, Outcome.TOO_MANY_BODY_READS,
                    "client: already " + limit + " request bodies being read from this address (maxBodyReadsPerClient);"
                            + " nothing was accepted, retry later");
        }
        try {
            return read.read();
        } finally {
            end(client);
        }
    }

    boolean tryStart(String address) {
        boolean[] started = {false};
        readsByAddress.compute(address, (key, under) -> {
            int now = under == null ? 0 : under;
            if (now >= limit) {
                return under;
            }
            started[0] = true;
            return now + 1;
        });
        if (started[0]) {
            reads.incrementAndGet();
        }
        return started[0];
    }

    void end(String address) {
        // Removing the entry at zero keeps the map to the addresses being read from now.
        readsByAddress.computeIfPresent(address, (key, under) -> under == 1 ? null : under - 1);
        reads.decrementAndGet();
    }

    /** Bodies being read now, from every address. */
    int reads() {
        return reads.get();
    }

    /** Addresses with at least one body being read now: the entries this holds. */
    int addresses() {
        return readsByAddress.size();
    }
}
