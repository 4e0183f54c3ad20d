package dev.trackpipeline.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances of a service started at once both extract its jar for the AOT cache; whichever
 * moves its extraction into place second uses the first's, and starts (found by two test JVMs
 * starting writers side by side: Linux refuses the second rename as a plain "Directory not empty").
 */
class AotCacheExtractionRaceTest {

    static final Path JAR = Path.of("consumer-writer-exec.jar");

    @TempDir
    Path aot;

    @Test
    void anExtractionMovedInPlaceFirstIsUsedAndTheSecondRemoved() throws Exception {
        Path build = extraction("consumer-writer-1-2", "first");
        Path second = extraction("consumer-writer-unpacking-7", "second");

        AotCache.moveIntoPlace(second, build, JAR);

        assertThat(build.resolve(JAR)).hasContent("first");
        assertThat(second).doesNotExist();
    }

    @Test
    void aBuildDirectoryWithoutTheJarIsNoRaceAndTheRefusalIsSaid() throws Exception {
        Path build = Files.createDirectories(aot.resolve("consumer-writer-1-2"));
        Files.writeString(build.resolve("stray"), "left by something else");
        Path unpacking = extraction("consumer-writer-unpacking-7", "mine");

        assertThatThrownBy(() -> AotCache.moveIntoPlace(unpacking, build, JAR)).isInstanceOf(FileSystemException.class);
        assertThat(unpacking).doesNotExist();
    }

    @Test
    void theFirstExtractionMovesIntoPlace() throws Exception {
        Path unpacking = extraction("consumer-writer-unpacking-7", "mine");
        Path build = aot.resolve("consumer-writer-1-2");

        AotCache.moveIntoPlace(unpacking, build, JAR);

        assertThat(build.resolve(JAR)).hasContent("mine");
        assertThat(unpacking).doesNotExist();
    }

    private Path extraction(String name, String jarContent) throws Exception {
        Path dir = Files.createDirectories(aot.resolve(name));
        Files.writeString(dir.resolve(JAR), jarContent);
        Files.createDirectories(dir.resolve("lib"));
        Files.writeString(dir.resolve("lib").resolve("a.jar"), "a");
        return dir;
    }
}
