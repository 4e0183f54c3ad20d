package dev.trackpipeline.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A data directory says which layout it holds; a release reads its own and refuses another's in a sentence. */
class DataLayoutTest {

    @TempDir
    Path dir;

    @Test
    void aNewDirectoryIsClaimedInThisLayoutAndReadAgain() throws Exception {
        Path data = dir.resolve("data");

        DataLayout.claim(data);
        DataLayout.claim(data);

        assertThat(data.resolve(DataLayout.FILE)).content().contains("layout=1");
    }

    @Test
    void aDirectoryOfAnEarlierReleaseWithoutTheFileIsClaimedAsThisLayout() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data/kafka")).getParent();

        DataLayout.claim(data);

        assertThat(data.resolve(DataLayout.FILE)).content().contains("layout=1");
    }

    @Test
    void anotherLayoutIsRefusedWithWhatToDo() throws Exception {
        Files.writeString(dir.resolve(DataLayout.FILE), "layout=2\n");

        assertThatThrownBy(() -> DataLayout.claim(dir)).isInstanceOfSatisfying(DataDirectoryException.class, refused -> {
            assertThat(refused).hasMessage("data directory " + dir + " is in data layout 2, which this track-pipeline does not read "
                    + "(it reads layout 1)");
            assertThat(refused.remedy()).isEqualTo("start the track-pipeline that wrote it");
        });
        assertThat(dir.resolve(DataLayout.FILE)).hasContent("layout=2\n");
    }

    @Test
    void aFileThatDoesNotSayItsLayoutIsRefused() throws Exception {
        Files.writeString(dir.resolve(DataLayout.FILE), "layout=two\n");

        assertThatThrownBy(() -> DataLayout.claim(dir)).isInstanceOf(DataDirectoryException.class)
                .hasMessage(dir.resolve(DataLayout.FILE) + " does not say which data layout its directory is in (layout=two)");
    }
}
