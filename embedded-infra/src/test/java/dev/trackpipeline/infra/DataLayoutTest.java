package dev.trackpipeline.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trackpipeline.infra.testing.LockHolder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A data directory says which layout it holds; a release reads its own and refuses another's in a sentence. */
class DataLayoutTest {

    static final java.util.List<String> STORES = java.util.List.of("kafka", "mongodb", "redis");

    @TempDir
    Path dir;

    @Test
    void aNewDirectoryIsClaimedInThisLayoutAndReadAgain() throws Exception {
        Path data = dir.resolve("data");

        DataLayout.claim(data, STORES).close();
        DataLayout.claim(data, STORES).close();

        assertThat(data.resolve(DataLayout.FILE)).content().contains("layout=1");
    }

    @Test
    void aDirectoryHeldByAnotherTrackPipelineIsRefusedNamingItsProcess() throws Exception {
        try (AutoCloseable held = DataLayout.claim(dir, STORES)) {
            assertThatThrownBy(() -> DataLayout.claim(dir, STORES)).isInstanceOfSatisfying(DataDirectoryException.class, refused -> {
                assertThat(refused).hasMessage("data directory " + dir + " is in use by another track-pipeline (process "
                        + ProcessHandle.current().pid() + "), which runs its kafka");
                assertThat(refused.remedy()).isEqualTo("stop it first");
            });
        }
        DataLayout.claim(dir, STORES).close(); // free again once its holder let go
    }

    @Test
    void aStoreAnotherProcessHoldsIsRefusedNamingThatProcess() throws Exception {
        try (LockHolder other = LockHolder.hold(dir.resolve("kafka" + DataLayout.LOCK_SUFFIX), dir.resolve("holder"))) {
            assertThatThrownBy(() -> DataLayout.claim(dir, STORES)).isInstanceOf(DataDirectoryException.class)
                    .hasMessage("data directory " + dir + " is in use by another track-pipeline (process " + other.pid()
                            + "), which runs its kafka");
        }
        DataLayout.claim(dir, STORES).close(); // free once that process is gone
    }

    @Test
    void theCheckBeforeAStartRefusesAsAClaimWouldAndWritesNothing() throws Exception {
        Path absent = dir.resolve("absent");
        DataLayout.requireUsable(absent, STORES);
        assertThat(absent).doesNotExist();

        Path running = Files.createDirectories(dir.resolve("running"));
        try (LockHolder other = LockHolder.hold(running.resolve("redis" + DataLayout.LOCK_SUFFIX), dir.resolve("holder"))) {
            assertThatThrownBy(() -> DataLayout.requireUsable(running, STORES)).isInstanceOf(DataDirectoryException.class)
                    .hasMessage("data directory " + running + " is in use by another track-pipeline (process " + other.pid()
                            + "), which runs its redis");
        }
        DataLayout.requireUsable(running, STORES);
        assertThat(running.resolve(DataLayout.FILE)).doesNotExist();
        assertThat(running.resolve("kafka" + DataLayout.LOCK_SUFFIX)).doesNotExist();

        Path older = Files.createDirectories(dir.resolve("older"));
        Files.writeString(older.resolve(DataLayout.FILE), "layout=2\n");
        assertThatThrownBy(() -> DataLayout.requireUsable(older, STORES)).hasMessage("data directory " + older
                + " is in data layout 2, which this track-pipeline does not read (it reads layout 1)");

        Path here = dir.resolve("here");
        try (AutoCloseable held = DataLayout.claim(here, STORES)) {
            Path anotherName = Files.createSymbolicLink(dir.resolve("link"), here);
            assertThatThrownBy(() -> DataLayout.requireUsable(here, STORES)).hasMessageContaining(
                    "is in use by another track-pipeline (process " + ProcessHandle.current().pid() + ")");
            assertThatThrownBy(() -> DataLayout.requireUsable(anotherName, STORES)).hasMessageContaining(
                    "is in use by another track-pipeline (process " + ProcessHandle.current().pid() + ")");
            assertThatThrownBy(() -> DataLayout.claim(anotherName, STORES)).hasMessageContaining(
                    "is in use by another track-pipeline (process " + ProcessHandle.current().pid() + ")");
        }
        DataLayout.claim(dir.resolve("link"), STORES).close(); // this process's lock was kept until released, then free
    }

    @Test
    void eachStoreOfADirectoryMayRunInAProcessOfItsOwn() throws Exception {
        try (AutoCloseable kafka = DataLayout.claim(dir, java.util.List.of("kafka"));
             AutoCloseable mongo = DataLayout.claim(dir, java.util.List.of("mongodb"))) {
            assertThatThrownBy(() -> DataLayout.claim(dir, java.util.List.of("mongodb"))).hasMessageEndingWith("which runs its mongodb");
        }
    }

    @Test
    void aDirectoryThatCannotBeWrittenIsNamedWithTheReason() throws Exception {
        Path aFile = Files.writeString(dir.resolve("a-file"), "");

        assertThatThrownBy(() -> DataLayout.claim(aFile.resolve("data"), STORES)).isInstanceOfSatisfying(DataDirectoryException.class, refused -> {
            assertThat(refused).hasMessageStartingWith("data directory " + aFile.resolve("data") + " cannot be written (");
            assertThat(refused.remedy()).isEqualTo("make it writable by this user");
        });
    }

    @Test
    void aDirectoryOfAnEarlierReleaseWithoutTheFileIsClaimedAsThisLayout() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data/kafka")).getParent();

        DataLayout.claim(data, STORES).close();

        assertThat(data.resolve(DataLayout.FILE)).content().contains("layout=1");
    }

    @Test
    void anotherLayoutIsRefusedWithWhatToDo() throws Exception {
        Files.writeString(dir.resolve(DataLayout.FILE), "layout=2\n");

        assertThatThrownBy(() -> DataLayout.claim(dir, STORES)).isInstanceOfSatisfying(DataDirectoryException.class, refused -> {
            assertThat(refused).hasMessage("data directory " + dir + " is in data layout 2, which this track-pipeline does not read "
                    + "(it reads layout 1)");
            assertThat(refused.remedy()).isEqualTo("start the track-pipeline that wrote it");
        });
        assertThat(dir.resolve(DataLayout.FILE)).hasContent("layout=2\n");
    }

    @Test
    void aFileThatDoesNotSayItsLayoutIsRefused() throws Exception {
        Files.writeString(dir.resolve(DataLayout.FILE), "layout=two\n");

        assertThatThrownBy(() -> DataLayout.claim(dir, STORES)).isInstanceOf(DataDirectoryException.class)
                .hasMessage(dir.resolve(DataLayout.FILE) + " does not say which data layout its directory is in (layout=two)");
    }
}
