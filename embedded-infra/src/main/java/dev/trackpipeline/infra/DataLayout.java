package dev.trackpipeline.infra;

import java.io.IOException;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Which layout a data directory is in: its subdirectories and what each store keeps there. A
 * directory records the layout it was written in ({@value #FILE}), so that a release that lays
 * its data out otherwise refuses it with a clear line instead of failing somewhere in Kafka, the
 * MongoDB-wire store or Redis. A directory without the file is of the releases before it, which
 * wrote this layout: it is claimed as such.
 */
public final class DataLayout {

    public static final String FILE = "track-data.properties";
    /** Of each store's lock file ("kafka.lock"), locked while a process runs that store on the directory; holds its id. */
    public static final String LOCK_SUFFIX = ".lock";
    /** Kafka in kafka/ (kafka-N-brokers/ for N brokers), the MongoDB-wire store in mongo/track.mv, Redis's append-only file in redis/. */
    public static final int CURRENT = 1;
    private static final String KEY = "layout";

    private DataLayout() {
    }

    /**
     * Takes the directory for this process, records this layout in it if it has none, or refuses a
     * directory of another layout, or one another track-pipeline holds (two sets of stores on one
     * directory wreck each other's files). The answer holds it until closed.
     */
    static AutoCloseable claim(Path dataDir, List<String> stores) {
        Path file = dataDir.resolve(FILE);
        try {
            Files.createDirectories(dataDir);
            AutoCloseable held = hold(dataDir, stores);
            try {
                if (!Files.exists(file)) {
                    write(file, CURRENT);
                    return held;
                }
                int layout = read(file);
                if (layout != CURRENT) {
                    throw otherLayout(dataDir, layout);
                }
                return held;
            } catch (RuntimeException | IOException e) {
                closeQuietly(held);
                throw e;
            }
        } catch (IOException e) {
            String reason = e instanceof java.nio.file.FileSystemException refused && refused.getReason() != null
                    ? refused.getReason() : e instanceof java.nio.file.AccessDeniedException ? "permission denied" : e.getMessage();
            throw new DataDirectoryException("data directory " + dataDir + " cannot be written (" + reason + ")",
                    "make it writable by this user", e);
        }
    }

    /**
     * Refuses, as {@link #claim} would, a directory another track-pipeline holds or one of another
     * layout, and writes nothing: a start refused afterwards (a port taken, a full disk) leaves no
     * directory behind that it did not find. A directory not there yet is usable.
     */
    static synchronized void requireUsable(Path dataDir, List<String> stores) throws IOException {
        if (!Files.isDirectory(dataDir)) {
            return;
        }
        for (String store : stores) {
            Path lockFile = lockFile(dataDir, store);
            if (HELD_HERE.contains(lockFile)) {
                throw inUseHere(dataDir, store);
            }
            if (!Files.isWritable(lockFile)) {
                continue; // none yet (the claim creates it), or one the claim will name as not writable
            }
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                FileLock lock;
                try {
                    lock = channel.tryLock();
                } catch (IOException noLocks) {
                    continue; // a file system without locks: the claim decides
                } catch (java.nio.channels.OverlappingFileLockException heldHereUnderAnotherName) {
                    throw inUseHere(dataDir, store);
                }
                if (lock == null) {
                    throw inUse(dataDir, store, holderOf(channel));
                }
                lock.release();
            }
        }
        Path file = dataDir.resolve(FILE);
        if (Files.isReadable(file)) {
            int layout = read(file);
            if (layout != CURRENT) {
                throw otherLayout(dataDir, layout);
            }
        }
    }

    /**
     * An exclusive lock on each store's lock file, which names the process holding it: the stores
     * of one directory may run in processes of their own (each with the others external).
     */
    private static AutoCloseable hold(Path dataDir, List<String> stores) throws IOException {
        List<AutoCloseable> held = new ArrayList<>();
        AutoCloseable releaseAll = () -> {
            for (AutoCloseable lock : held) {
                lock.close();
            }
        };
        try {
            for (String store : stores) {
                held.add(lock(dataDir, store));
            }
            return releaseAll;
        } catch (IOException | RuntimeException e) {
            closeQuietly(releaseAll);
            throw e;
        }
    }

    /**
     * The lock files this process holds. A file lock belongs to the process, and closing any other
     * handle on its file, in this process, releases it: a second claim here is answered from this
     * record, never by opening the file.
     */
    private static final java.util.Set<Path> HELD_HERE = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Locks one store's lock file; closing the answer releases it. */
    private static synchronized AutoCloseable lock(Path dataDir, String store) throws IOException {
        Path lockFile = lockFile(dataDir, store);
        if (!HELD_HERE.add(lockFile)) {
            throw inUseHere(dataDir, store);
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (IOException noLocks) {
                if (!String.valueOf(noLocks.getMessage()).contains("No locks available")) {
                    throw noLocks;
                }
                // A file system without locks (NFS without lockd, some FUSE mounts): run unguarded, as before locks.
                return releasing(channel, lockFile);
            }
            if (lock == null) {
                throw inUse(dataDir, store, holderOf(channel));
            }
            byte[] pid = String.valueOf(ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8);
            channel.write(ByteBuffer.wrap(pid), 0); // the id first, then the rest cut: a reader never sees an empty file
            channel.truncate(pid.length);
            return releasing(channel, lockFile);
        } catch (IOException | RuntimeException e) {
            HELD_HERE.remove(lockFile);
            if (channel != null) {
                channel.close();
            }
            throw e;
        }
    }

    /**
     * The store's lock file under the directory's real path (it exists by then): the directory
     * reached by another name (a symbolic link) is recognised as the one this process holds.
     */
    private static Path lockFile(Path dataDir, String store) throws IOException {
        return dataDir.toRealPath().resolve(store + LOCK_SUFFIX);
    }

    private static AutoCloseable releasing(FileChannel channel, Path lockFile) {
        return () -> {
            try {
                channel.close(); // closing the channel releases its lock
            } finally {
                HELD_HERE.remove(lockFile);
            }
        };
    }

    private static DataDirectoryException otherLayout(Path dataDir, int layout) {
        return new DataDirectoryException("data directory " + dataDir + " is in data layout " + layout
                + ", which this track-pipeline does not read (it reads layout " + CURRENT + ")", "start the track-pipeline that wrote it", null);
    }

    /** The process id a held lock file names: its holder writes it first thing. */
    private static String holderOf(FileChannel lockFile) throws IOException {
        ByteBuffer holder = ByteBuffer.allocate(32);
        lockFile.read(holder, 0);
        return new String(holder.array(), 0, holder.position(), StandardCharsets.UTF_8).strip();
    }

    private static DataDirectoryException inUseHere(Path dataDir, String store) {
        return inUse(dataDir, store, String.valueOf(ProcessHandle.current().pid()));
    }

    private static DataDirectoryException inUse(Path dataDir, String store, String holder) {
        return new DataDirectoryException("data directory " + dataDir + " is in use by another track-pipeline"
                + (holder.isEmpty() ? "" : " (process " + holder + ")") + ", which runs its " + store, "stop it first", null);
    }

    private static void closeQuietly(AutoCloseable held) {
        try {
            held.close();
        } catch (Exception ignored) {
            // the lock goes with the process anyway
        }
    }

    static void write(Path file, int layout) throws IOException {
        Properties properties = new Properties();
        properties.setProperty(KEY, String.valueOf(layout));
        // written aside and moved in whole: the stores of one directory may start at once, each in its own process,
        // and one reading the file while another writes it must never see it empty
        // (a name of this process's own, created as any file here is, readable by whoever may read the directory)
        Path written = file.resolveSibling(FILE + "." + ProcessHandle.current().pid() + ".new");
        java.io.StringWriter text = new java.io.StringWriter();
        properties.store(text, "Written by track-pipeline: the layout of this data directory; do not edit");
        try {
            try (FileChannel out = FileChannel.open(written, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                out.write(ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)));
                out.force(true); // on disk before it takes the name: a crash never leaves the name on an empty file
            }
            Files.move(written, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(written);
        }
    }

    private static int read(Path file) throws IOException {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(in);
        }
        String layout = properties.getProperty(KEY, "").strip();
        try {
            return Integer.parseInt(layout);
        } catch (NumberFormatException e) {
            throw new DataDirectoryException(file + " does not say which data layout its directory is in (layout=" + layout + ")",
                    "restore the file, or move the directory aside", e);
        }
    }
}
