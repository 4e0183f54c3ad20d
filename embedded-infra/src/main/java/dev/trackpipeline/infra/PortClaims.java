package dev.trackpipeline.infra;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
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
    private Boolean claimsUsable;

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
        if (!claimsUsable()) {
            claimed.put(port, null); // said once, in claimsUsable: only this JVM's own claims keep its ports apart
            return true;
        }
        FileChannel file = null;
        try {
            file = FileChannel.open(claims.resolve(port + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS);
            FileLock lock = tryLock(file);
            if (lock != null) {
                claimed.put(port, lock);
                return true;
            }
        } catch (IOException unusable) {
            // this port's file cannot be claimed (another user's, a link): the port is passed over
        }
        closeQuietly(file);
        return false;
    }

    /**
     * Whether the claims directory can be used: created for this user alone if it is missing, and
     * refused if it is a link or another user's, whose files could make claims fail or point
     * them elsewhere. Without one, only this JVM's own claims keep its ports apart: said once.
     */
    private boolean claimsUsable() {
        if (claimsUsable == null) {
            try {
                if (!Files.isDirectory(claims, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(claims.getParent());
                    try {
                        Files.createDirectory(claims, ownerOnly());
                    } catch (FileAlreadyExistsException createdMeanwhile) {
                        // by another JVM of this user's starting at the same moment, or a link: the owner check below decides
                    }
                }
                claimsUsable = Files.isDirectory(claims, LinkOption.NOFOLLOW_LINKS) && Files.getOwner(claims, LinkOption.NOFOLLOW_LINKS).equals(
                        claims.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(System.getProperty("user.name")));
            } catch (IOException | UnsupportedOperationException unusable) {
                claimsUsable = false;
            }
            if (!claimsUsable) {
                System.err.println("track: ports are not claimed across JVMs: " + claims + " is not a directory of this user's;"
                        + " test JVMs side by side may choose the same port");
            }
        }
        return claimsUsable;
    }

    private static java.nio.file.attribute.FileAttribute<?>[] ownerOnly() {
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            return new java.nio.file.attribute.FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))};
        }
        return new java.nio.file.attribute.FileAttribute<?>[0];
    }

    private static void closeQuietly(FileChannel file) {
        if (file != null) {
            try {
                file.close();
            } catch (IOException ignored) {
                // nothing was claimed through it
            }
        }
    }

    private static FileLock tryLock(FileChannel file) throws IOException {
        try {
            return file.tryLock();
        } catch (OverlappingFileLockException heldInThisJvm) {
            // only where one JVM holds several PortClaims (tests): FreePorts' one instance never asks
            // twice for a port it holds, and closing this second channel could drop the first's lock
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
        // on every address, as the servers bind: a port held on one of them only is not free to them
        try (ServerSocket socket = new ServerSocket(port)) {
            return true;
        } catch (IOException inUse) {
            return false;
        }
    }
}
