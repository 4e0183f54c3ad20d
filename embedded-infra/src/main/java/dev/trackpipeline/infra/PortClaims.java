package dev.trackpipeline.infra;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Ports between {@code first} and {@code end} claimed for this JVM's lifetime: a port is handed
 * out only if it can be bound now and its file in {@code claims} can be locked, and the lock is
 * held until the JVM exits (or the claims are closed), so no other JVM claiming in the same
 * directory hands it out meanwhile. {@link FreePorts} holds the one every caller shares.
 */
final class PortClaims {

    private final Path claims;
    private final int first;
    private final int end;
    private final Map<Integer, FileLock> claimed = new HashMap<>();
    private int next;

    PortClaims(Path claims, int first, int end, int startAt) {
        if (startAt < first || startAt >= end) {
            throw new IllegalArgumentException("start " + startAt + " outside " + first + "-" + end);
        }
        this.claims = claims;
        this.first = first;
        this.end = end;
        this.next = startAt;
    }

    /**
     * The first of {@code count} ports in a row, each claimed, and with each of them the port
     * {@code alsoAt} above it (unless 0), which the server also listens on.
     */
    synchronized int claim(int count, int alsoAt) {
        for (int attempt = 0; attempt < end - first; attempt++) {
            int candidate = advance(count);
            List<Integer> ports = new ArrayList<>();
            for (int port = candidate; port < candidate + count; port++) {
                ports.add(port);
                if (alsoAt != 0) {
                    ports.add(port + alsoAt);
                }
            }
            if (claimAll(ports)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no " + count + " free ports in a row between " + first + " and " + end);
    }

    /** Ends every claim: for tests, which play several JVMs in one. */
    synchronized void close() {
        List.copyOf(claimed.keySet()).forEach(this::release);
    }

    /** The next candidate run of {@code count}, wrapping round within the range. */
    private int advance(int count) {
        if (next + count > end) {
            next = first;
        }
        int candidate = next;
        next += count;
        return candidate;
    }

    /** Claims every one of {@code ports}, or none of them. */
    private boolean claimAll(List<Integer> ports) {
        List<Integer> claimedNow = new ArrayList<>();
        for (int port : ports) {
            if (!claimed.containsKey(port) && bindable(port) && claimFile(port)) {
                claimedNow.add(port);
            } else {
                claimedNow.forEach(this::release);
                return false;
            }
        }
        return true;
    }

    private boolean claimFile(int port) {
        try {
            Files.createDirectories(claims);
            FileChannel file = FileChannel.open(claims.resolve(port + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = tryLock(file);
            if (lock == null) {
                file.close();
                return false;
            }
            claimed.put(port, lock);
            return true;
        } catch (IOException unwritable) {
            // no directory to claim in (a read-only temp directory): the bind check alone still
            // serves one JVM, which is all that could run here without one
            claimed.put(port, null);
            return true;
        }
    }

    private static FileLock tryLock(FileChannel file) throws IOException {
        try {
            return file.tryLock();
        } catch (OverlappingFileLockException heldInThisJvm) {
            return null;
        }
    }

    private void release(int port) {
        FileLock lock = claimed.remove(port);
        if (lock != null) {
            try {
                lock.channel().close();
            } catch (IOException ignored) {
                // closing a lock file only ends the claim sooner; the JVM's exit ends it anyway
            }
        }
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException inUse) {
            return false;
        }
    }
}
