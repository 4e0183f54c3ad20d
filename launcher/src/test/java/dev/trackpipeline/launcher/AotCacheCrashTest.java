package dev.trackpipeline.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A service that died at start on its AOT cache: the cache goes only when the JVM itself crashed on it. */
class AotCacheCrashTest {

    @TempDir
    Path build;

    @Test
    void aJvmThatCrashedOnTheCacheHasItRemovedSoTheNextStartRecordsAgain() throws Exception {
        Path cache = Files.writeString(build.resolve("consumer-writer.25.aot"), "a cache the JVM crashed on");
        AotCache.Launch ranOnIt = new AotCache.Launch(List.of("-XX:AOTCache=" + cache, "-jar", "writer.jar"), Optional.empty(), cache,
                recording -> true);

        assertThat(ranOnIt.crashedOnCache(143)).as("stopped by SIGTERM").isEmpty();
        assertThat(ranOnIt.crashedOnCache(137)).as("killed").isEmpty();
        assertThat(ranOnIt.crashedOnCache(1)).as("its own failure: a port taken, a bad setting").isEmpty();
        assertThat(cache).exists();

        assertThat(ranOnIt.crashedOnCache(AotCache.JVM_FATAL_ERROR_EXIT)).contains(cache);
        assertThat(cache).doesNotExist();
    }

    @Test
    void aJvmThatRecordedInsteadKeepsWhateverCacheThereIs() throws Exception {
        Path cache = Files.writeString(build.resolve("gateway.25.aot"), "another start's cache");
        AotCache.Launch recording = new AotCache.Launch(List.of("-XX:AOTCacheOutput=" + build.resolve("gateway.aot.1.recording"),
                "-jar", "gateway.jar"), Optional.of(build.resolve("gateway.aot.1.recording")), cache, recorded -> true);

        assertThat(recording.crashedOnCache(AotCache.JVM_FATAL_ERROR_EXIT)).isEmpty();
        assertThat(cache).exists();
    }
}
