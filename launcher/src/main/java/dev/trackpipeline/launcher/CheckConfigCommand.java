package dev.trackpipeline.launcher;

import dev.trackpipeline.model.project.Project;
import dev.trackpipeline.model.project.ProjectRegistry;
import dev.trackpipeline.model.project.ProjectsFile;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bin/track check-config}: the projects file read by the very code the services read it with
 * ({@link ProjectsFile}), for operators to check a change before the services reload it.
 */
@Command(name = "check-config", mixinStandardHelpOptions = true,
        description = "Check a projects file as the services read it: one line saying it is valid, or what is wrong where.")
final class CheckConfigCommand implements Callable<Integer> {

    @Option(names = "--projects-file", defaultValue = "${env:TRACK_PROJECTS_FILE:-config/projects.yml}",
            description = "The projects file (default: ${DEFAULT-VALUE}).")
    Path projectsFile;

    @Mixin
    VerboseOption verbose;

    @Override
    public Integer call() {
        ProjectRegistry registry = requireValidProjects(projectsFile);
        System.out.println("projects file " + projectsFile + ": valid, " + registry.all().size() + " project"
                + (registry.all().size() == 1 ? "" : "s") + " (" + String.join(", ", registry.all().stream()
                .map(Project::apikey).sorted().toList()) + ")");
        return 0;
    }

    /** The registry, or a {@link StartupFailure} whose one line names the file, where and what is wrong. */
    static ProjectRegistry requireValidProjects(Path file) {
        try {
            return ProjectsFile.load(file);
        } catch (IllegalArgumentException invalid) {
            throw new StartupFailure(invalid.getMessage(), invalid);
        }
    }
}
