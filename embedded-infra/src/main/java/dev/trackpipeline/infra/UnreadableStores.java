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
        Optional<String> refusal = systemRefusal(failure);
        if (refusal.isPresent()) {
            return refused(logDir, refusal.get(), failure);
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
        Optional<String> refusal = systemRefusal(failure);
        if (refusal.isPresent()) {
            return refused(storeFile, refusal.get(), failure);
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
        if (NOT_WRITABLE.stream().anyMatch(reason::contains)) {
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

    private static final String PERMISSION_DENIED = "Permission denied";
    private static final String READ_ONLY = "Read-only file system";
    private static final String NO_SPACE = "No space left on device";
    private static final List<String> NOT_WRITABLE = List.of(PERMISSION_DENIED, READ_ONLY);

    /**
     * The operating system's refusal to write, anywhere in a failure's causes, which says nothing of
     * what a store holds: no permission or a read-only disk first, else a full disk.
     */
    static Optional<String> systemRefusal(Throwable failure) {
        for (String refusal : List.of(PERMISSION_DENIED, READ_ONLY, NO_SPACE)) {
            for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
                boolean denied = refusal.equals(PERMISSION_DENIED) && cause instanceof java.nio.file.AccessDeniedException;
                if (denied || (cause.getMessage() != null && cause.getMessage().contains(refusal))) {
                    return Optional.of(refusal);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * A store's files refused by the system: a full disk left as it is (the launcher names the disk),
     * no permission or a read-only disk said as such (after one run as root, say), never as damaged data.
     */
    private static RuntimeException refused(Path where, String refusal, RuntimeException failure) {
        return refusal.equals(NO_SPACE) ? failure
                : new DataDirectoryException(where + " cannot be written (" + refusal + ")", "make it writable by this user", failure);
    }

    static String firstSentence(String message) {
        int end = message.indexOf(". ");
        return (end < 0 ? message : message.substring(0, end)).strip();
    }
}
