package dev.trackpipeline.launcher;

import dev.trackpipeline.infra.DataDirectoryException;
import dev.trackpipeline.infra.EmbeddedInfrastructure;
import dev.trackpipeline.infra.InfrastructureSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * The ways the data directory stops a start, each said in one line with what to change: too little
 * room on its disk, data of another layout or that a store cannot read, a disk that fills while
 * the stores start.
 */
final class DataDirectoryFailures {

    /** Room for Kafka's first segments and indexes, the MongoDB-wire store's first pages and Redis's append-only file. */
    static final long MIN_FREE_BYTES = 256L * 1024 * 1024;
    private static final String ELSEWHERE = "choose another --data-dir (TRACK_DATA_DIR)";
    private static final String NO_SPACE = "No space left on device";

    private DataDirectoryFailures() {
    }

    /** Refuses a disk with less than {@code minimumBytes} free for the stores these settings embed (none: nothing to check). */
    static void requireRoom(InfrastructureSettings settings, long minimumBytes) {
        if (EmbeddedInfrastructure.embeddedStores(settings.external()).isEmpty()) {
            return;
        }
        requireRoom(settings.dataDir(), minimumBytes);
    }

    static void requireRoom(Path dataDir, long minimumBytes) {
        long usable = usableSpace(dataDir);
        if (usable < minimumBytes) {
            throw new StartupFailure("the disk holding data directory " + dataDir + " has " + mebibytes(usable) + " MiB free, and Kafka, "
                    + "the MongoDB-wire store and Redis need " + mebibytes(minimumBytes) + " MiB to start: free space on it, or " + ELSEWHERE);
        }
    }

    /** The data directory's own refusals (another track-pipeline on it, another layout), each as one line, writing nothing. */
    static void requireUsable(InfrastructureSettings settings) throws Exception {
        whileStarting(settings.dataDir(), () -> {
            EmbeddedInfrastructure.requireDataDirectoryUsable(settings);
            return null;
        });
    }

    /** Runs {@code start}, and says in one line what its failure means when it is the data directory's. */
    static <T> T whileStarting(Path dataDir, Callable<T> start) throws Exception {
        try {
            return start.call();
        } catch (Exception failure) {
            // A full disk first: whatever a store made of it (Kafka names its log directory), its data are not at fault.
            boolean full = false;
            String fullFile = null;
            for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
                if (cause.getMessage() != null && cause.getMessage().contains(NO_SPACE)) {
                    full = true;
                    if (cause instanceof java.nio.file.FileSystemException refused && refused.getFile() != null) {
                        fullFile = refused.getFile();
                    }
                }
            }
            if (full) {
                // Another disk may be the full one (the AOT caches under the checkout, the temporary directory).
                if (fullFile != null && !Path.of(fullFile).toAbsolutePath().startsWith(dataDir.toAbsolutePath())) {
                    throw new StartupFailure("the disk holding " + fullFile + " is full (" + NO_SPACE + "): free space on it", failure);
                }
                throw new StartupFailure("the disk holding data directory " + dataDir + " is full (" + NO_SPACE + "): free space on it, "
                        + "or " + ELSEWHERE, failure);
            }
            for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
                if (cause instanceof DataDirectoryException unusable) {
                    throw new StartupFailure(unusable.getMessage() + ": " + unusable.remedy() + ", or " + ELSEWHERE, failure);
                }
            }
            throw failure;
        }
    }

    /** The space on the disk that holds the directory, or would hold it: it may not exist yet. */
    private static long usableSpace(Path dataDir) {
        Path existing = dataDir.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        try {
            return Files.getFileStore(existing).getUsableSpace();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot tell the free space on the disk of " + dataDir, e);
        }
    }

    private static long mebibytes(long bytes) {
        return bytes / (1024 * 1024);
    }
}
