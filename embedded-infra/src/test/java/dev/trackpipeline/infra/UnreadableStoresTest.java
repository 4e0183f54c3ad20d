package dev.trackpipeline.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A store's failure to start is told apart: its data unreadable, its files not writable, or neither. */
class UnreadableStoresTest {

    static final Path LOG_DIR = Path.of("/var/track/data/kafka").toAbsolutePath();

    @Test
    void kafkaNamingItsLogDirectoryIsAboutItsData() {
        RuntimeException failure = new IllegalStateException("Kafka broker 1 failed to start",
                new RuntimeException("Stored node id 7 doesn't match previous node id 1 in " + LOG_DIR + "/meta.properties. If you moved"));

        assertThat(UnreadableStores.kafka(LOG_DIR, failure)).isInstanceOfSatisfying(DataDirectoryException.class, unreadable -> {
            assertThat(unreadable).hasMessage("Kafka's log directory " + LOG_DIR + " cannot be used (Stored node id 7 doesn't match "
                    + "previous node id 1 in " + LOG_DIR + "/meta.properties)");
            assertThat(unreadable.remedy()).startsWith("move it aside");
        });
    }

    @Test
    void filesTheSystemRefusesAreNotWritableNeverDamaged() {
        RuntimeException denied = new IllegalStateException("Kafka broker 1 failed to start: " + LOG_DIR,
                new AccessDeniedException(LOG_DIR + "/meta.properties"));
        RuntimeException readOnly = new IllegalStateException("failed", new IOException(LOG_DIR + ": Read-only file system"));

        assertThat(UnreadableStores.kafka(LOG_DIR, denied)).isInstanceOfSatisfying(DataDirectoryException.class, refused -> {
            assertThat(refused).hasMessage(LOG_DIR + " cannot be written (Permission denied)");
            assertThat(refused.remedy()).isEqualTo("make it writable by this user");
        });
        assertThat(UnreadableStores.mongo(LOG_DIR, readOnly)).hasMessage(LOG_DIR + " cannot be written (Read-only file system)");
        assertThat(UnreadableStores.redis(LOG_DIR, "Can't open the append-only file: Permission denied", readOnly))
                .hasMessage(LOG_DIR + " cannot be written (Can't open the append-only file: Permission denied)");
    }

    @Test
    void aFullDiskIsLeftToBeNamedAsSuch() {
        RuntimeException full = new IllegalStateException("Error while writing " + LOG_DIR + "/meta.properties",
                new IOException("No space left on device"));

        assertThat(UnreadableStores.kafka(LOG_DIR, full)).isSameAs(full);
    }
}
