package dev.trackpipeline.runtime;

import dev.trackpipeline.model.project.ProjectRegistry;
import dev.trackpipeline.model.project.ProjectsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The project registry, reloaded when its file changes, so adding a project or rotating a token
 * needs no restart. A file that no longer reads keeps the last good registry in force and is
 * reported in the log; a start with a bad file fails at once.
 */
public final class ProjectCatalog implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProjectCatalog.class);

    private final Path file;
    private final ScheduledExecutorService watcher;
    private volatile ProjectRegistry current;
    private volatile FileTime loadedVersion;

    public ProjectCatalog(Path file, Duration checkInterval) {
        this.file = file;
        this.loadedVersion = lastModified();
        this.current = ProjectsFile.load(file);
        this.watcher = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "projects-file-watcher");
            thread.setDaemon(true);
            return thread;
        });
        watcher.scheduleWithFixedDelay(this::reloadIfChanged, checkInterval.toMillis(), checkInterval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    public ProjectRegistry current() {
        return current;
    }

    void reloadIfChanged() {
        FileTime version = lastModified();
        if (version.equals(loadedVersion)) {
            return;
        }
        try {
            current = ProjectsFile.load(file);
            log.info("reloaded {}: {} projects", file, current.all().size());
        } catch (RuntimeException e) {
            log.error("keeping the previous projects: {}", e.getMessage());
        }
        loadedVersion = version;
    }

    private FileTime lastModified() {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    @Override
    public void close() {
        watcher.shutdownNow();
    }
}
