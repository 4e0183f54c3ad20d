package dev.trackpipeline.infra;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A store's failure to start, told apart when it is the store's data that cannot be read (written by
 * an incompatible version, or damaged): then a {@link DataDirectoryException} that names the files
 * and what moving them aside costs. Any other failure is left as it is.
 */
final class UnreadableStores {

    private UnreadableStores() {
    }

    /**
     * Kafka names the file it refuses (meta.properties, a log segment): a failure that names the log
     * directory is about its data, unless the disk refused a write (full, read-only, not permitted).
     */
    static RuntimeException kafka(Path logDir, RuntimeException failure) {
        if (refusedByTheDisk(failure)) {
            return notWritable(logDir, failure);
        }
        String dir = logDir.toAbsolutePath().toString();
        return deepestMessage(failure, message -> message.contains(dir))
                .<RuntimeException>map(message -> new DataDirectoryException("Kafka's log directory " + logDir + " cannot be used ("
                        + firstSentence(message) + ")", "move it aside to start with empty topics (the events they held are lost "
                        + "to the pipeline)", failure))
                .orElse(failure);
    }

    /** The MongoDB-wire store is an H2 MVStore file, whose every refusal to open is an MVStoreException. */
    static RuntimeException mongo(Path storeFile, RuntimeException failure) {
        if (refusedByTheDisk(failure)) {
            return notWritable(storeFile, failure);
        }
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause.getClass().getName().equals("org.h2.mvstore.MVStoreException")) {
                return new DataDirectoryException("the MongoDB-wire store " + storeFile + " cannot be read (" + cause.getMessage() + ")",
                        "move it aside to start with an empty store (bin/track replay rebuild refills it from Kafka's topics)", failure);
            }
        }
        return failure;
    }

    /** Redis's own reason for refusing its append-only file or snapshot, as it logged it. */
    static RuntimeException redis(Path dataDir, String reason, RuntimeException failure) {
        if (reason.contains("Permission denied") || reason.contains("Read-only file system")) {
            return new DataDirectoryException(dataDir + " cannot be written (" + reason + ")", "make it writable by this user", failure);
        }
        return new DataDirectoryException("Redis's data in " + dataDir + " cannot be read (" + reason + ")",
                "move it aside to start with empty metrics (bin/track replay rebuild counts them again from Kafka's topics)", failure);
    }

    /** Kafka's own words, under the messages that wrap them. */
    private static Optional<String> deepestMessage(Throwable failure, java.util.function.Predicate<String> matching) {
        Optional<String> deepest = Optional.empty();
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null && matching.test(cause.getMessage())) {
                deepest = Optional.of(cause.getMessage());
            }
        }
        return deepest;
    }

    /**
     * A store's files refused by the system: a full disk left as it is (the launcher names the disk),
     * no permission or a read-only disk said as such (after one run as root, say), never as damaged data.
     */
    private static RuntimeException notWritable(Path where, RuntimeException failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            String message = cause.getMessage() == null ? "" : cause.getMessage();
            for (String refusal : List.of("Permission denied", "Read-only file system")) {
                if (message.contains(refusal)) {
                    return new DataDirectoryException(where + " cannot be written (" + refusal + ")", "make it writable by this user", failure);
                }
            }
            if (cause instanceof java.nio.file.AccessDeniedException) {
                return new DataDirectoryException(where + " cannot be written (Permission denied)", "make it writable by this user", failure);
            }
        }
        return failure;
    }

    /** The operating system's refusals to write, which say nothing of what the store holds. */
    static boolean refusedByTheDisk(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            String message = cause.getMessage();
            if (message != null && (message.contains("No space left on device") || message.contains("Read-only file system")
                    || message.contains("Permission denied") || cause instanceof java.nio.file.AccessDeniedException)) {
                return true;
            }
        }
        return false;
    }

    static String firstSentence(String message) {
        int end = message.indexOf(". ");
        return (end < 0 ? message : message.substring(0, end)).strip();
    }
}
